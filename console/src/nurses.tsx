import type { Api } from "./client";
import { useTexts } from "./ui";

export function NurseRoster(_: { api: Api }) {
  const { t } = useTexts();
  return <h1>{t.navNurses}</h1>;
}
