import type { Api } from "./client";
import { useTexts } from "./ui";

export function MemberLookup(_: { api: Api }) {
  const { t } = useTexts();
  return <h1>{t.navMembers}</h1>;
}
