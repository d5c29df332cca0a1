// The operators' member lookup, nurses and record-access screens' texts, in Spanish and English (merged into the catalogue by i18n.ts).
export const es = {};

export const en: typeof es = {};
