import type { Api } from "./client";
import { useTexts } from "./ui";

export function UnmatchedPayments(_: { api: Api }) {
  const { t } = useTexts();
  return <h1>{t.navPayments}</h1>;
}
