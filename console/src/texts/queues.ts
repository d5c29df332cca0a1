// The operators' figures and work queues (payments, identity claims)' texts, in Spanish and English (merged into the catalogue by i18n.ts).
export const es = {};

export const en: typeof es = {};
