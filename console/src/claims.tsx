import type { Api } from "./client";
import { useTexts } from "./ui";

export function IdentityClaims(_: { api: Api }) {
  const { t } = useTexts();
  return <h1>{t.navClaims}</h1>;
}
