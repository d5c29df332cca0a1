import type { Api } from "./client";
import { useTexts } from "./ui";

export function RecordAudit(_: { api: Api }) {
  const { t } = useTexts();
  return <h1>{t.navAudit}</h1>;
}
