// Every text the console shows, in Spanish (the default) and English. Texts that come from the API (problem titles,
// details and field messages) arrive already in the language sent as Accept-Language; these are the console's own.
import type { components } from "./api";

type AppointmentStatus = components["schemas"]["AppointmentWithReason"]["status"];
type MemberStatus = components["schemas"]["MemberStatus"];

export type Lang = "es" | "en";
export const LANGS: readonly Lang[] = ["es", "en"];

const es = {
  appName: "PTI Migrante",
  appSubtitle: "Consola del personal IMSS",
  skipToContent: "Saltar al contenido",
  otherLanguage: "English",
  otherLanguageLabel: "Switch to English",
  loading: "Cargando…",
  retry: "Reintentar",

  configFailed: "No se pudo cargar la configuración de la consola",
  configFailedDetail: "Falta /config.json junto a la aplicación o no es válido.",

  signInTitle: "Iniciar sesión",
  signInIntro: "Para enfermeras y operadores del programa. Usa la cuenta que te dio el IMSS.",
  username: "Usuario",
  password: "Contraseña",
  signIn: "Entrar",
  signingIn: "Entrando…",
  signOut: "Cerrar sesión",
  signedInAs: (user: string) => `Sesión de ${user}`,
  sessionEnded: "Tu sesión terminó y no se pudo renovar. Vuelve a iniciar sesión.",
  signedOut: "Cerraste tu sesión.",

  newPasswordTitle: "Elige tu contraseña",
  newPasswordIntro:
    "Es tu primer inicio de sesión: cambia la contraseña temporal que recibiste por una propia.",
  newPassword: "Contraseña nueva",
  newPasswordHint: "Al menos 12 caracteres, con mayúsculas, minúsculas y números.",
  confirmPassword: "Confirma la contraseña nueva",
  passwordsDiffer: "Las contraseñas no coinciden.",
  passwordTooShort: "Debe tener al menos 12 caracteres.",
  saveAndSignIn: "Guardar y entrar",
  required: "Este campo es obligatorio.",

  authWrongCredentials: "Usuario o contraseña incorrectos.",
  authResetRequired: "Debes restablecer tu contraseña. Pide ayuda a un operador.",
  authNotConfirmed: "Tu cuenta aún no está confirmada.",
  authInvalidPassword: "La contraseña no cumple la política: al menos 12 caracteres, con mayúsculas, minúsculas y números.",
  authTooMany: "Demasiados intentos. Espera unos minutos y vuelve a intentarlo.",
  authNetwork: "No se pudo conectar con el servicio de acceso. Revisa tu conexión.",
  authChallengeUnsupported: (name: string) => `Este paso de acceso (${name}) aún no está disponible en la consola.`,
  authOther: (code: string) => `No se pudo iniciar sesión (${code}).`,

  notStaffTitle: "Esta consola es para el personal",
  notStaffBody:
    "Tu cuenta no es de enfermería ni de operación. Los afiliados usan la aplicación de PTI Migrante, no esta consola.",

  navLabel: "Secciones",
  navAgenda: "Mi agenda",
  navFigures: "Cifras del programa",

  agendaTitle: "Mi agenda",
  viewLabel: "Vista",
  viewDay: "Día",
  viewWeek: "Semana",
  dateLabel: "Fecha",
  previousDay: "Día anterior",
  nextDay: "Día siguiente",
  previousWeek: "Semana anterior",
  nextWeek: "Semana siguiente",
  today: "Hoy",
  reload: "Actualizar",
  timesNote: "Horarios de la Ciudad de México.",
  weekOf: (first: string, last: string) => `Semana del ${first} al ${last}`,
  noConsults: "Sin consultas.",
  dayOff: "Día libre",
  consultCount: (n: number) => (n === 1 ? "1 consulta" : `${n} consultas`),
  patient: "Paciente",
  memberPatient: "El afiliado titular",
  years: (age: number) => (age === 1 ? "1 año" : `${age} años`),
  reason: "Motivo",
  status: "Estado",
  joinWindow: "Puede entrar",
  joinOpenNow: "Abierta ahora",
  joinClosed: "Cerrada",
  joinNotYet: "Aún no",
  cancelledBy: (who: string) => `Cancelada por ${who}`,
  cancelledByMember: "el afiliado",
  cancelledByNurse: "la enfermera",
  noshowBy: (who: string) => `No se presentó: ${who}`,
  noshowPatient: "el paciente",
  noshowNurse: "la enfermera",
  appointmentStatus: {
    booked: "Reservada",
    arrived: "En curso",
    fulfilled: "Atendida",
    cancelled: "Cancelada",
    noshow: "Inasistencia",
  } satisfies Record<AppointmentStatus, string>,

  figuresTitle: "Cifras del programa",
  figuresMonth: (month: string) => `Mes: ${month}`,
  membersByStatus: "Afiliados por estado",
  memberStatusColumn: "Estado",
  countColumn: "Número",
  total: "Total",
  beneficiaries: "Beneficiarios registrados",
  paymentsThisMonth: "Pagos de este mes",
  paymentKindColumn: "Pagos",
  amountColumn: "Importe (MXN)",
  memberStatus: {
    pending_payment: "Pendiente de pago",
    active: "Activo",
    lapsed: "Vencido",
    cancelled: "Cancelado",
  } satisfies Record<MemberStatus, string>,
  paymentKind: {
    received: "Recibidos",
    applied: "Aplicados",
    unmatched: "Sin asignar",
    reversed: "Revertidos",
  } as Record<string, string>,
  figuresLater: "Próximamente: gráficas por periodo y colas de trabajo (pagos sin asignar, reclamos de identidad).",

  problemNetwork: "No se pudo conectar con la API",
  problemNetworkDetail: "Revisa tu conexión o inténtalo más tarde.",
  problemUnexpected: "Respuesta inesperada de la API",
  problemUnexpectedDetail: (status: number) => `La API respondió con el estado ${status}.`,
  problemReference: "Referencia para soporte",
  problemFields: "Revisa estos campos:",
};

export type Texts = typeof es;

const en: Texts = {
  appName: "PTI Migrante",
  appSubtitle: "IMSS staff console",
  skipToContent: "Skip to content",
  otherLanguage: "Español",
  otherLanguageLabel: "Cambiar a español",
  loading: "Loading…",
  retry: "Try again",

  configFailed: "The console's configuration could not be loaded",
  configFailedDetail: "/config.json is missing next to the app, or is not valid.",

  signInTitle: "Sign in",
  signInIntro: "For the programme's nurses and operators. Use the account IMSS gave you.",
  username: "Username",
  password: "Password",
  signIn: "Sign in",
  signingIn: "Signing in…",
  signOut: "Sign out",
  signedInAs: (user: string) => `Signed in as ${user}`,
  sessionEnded: "Your session ended and could not be renewed. Please sign in again.",
  signedOut: "You signed out.",

  newPasswordTitle: "Choose your password",
  newPasswordIntro: "This is your first sign-in: replace the temporary password you received with your own.",
  newPassword: "New password",
  newPasswordHint: "At least 12 characters, with upper-case and lower-case letters and digits.",
  confirmPassword: "Confirm the new password",
  passwordsDiffer: "The passwords do not match.",
  passwordTooShort: "It must have at least 12 characters.",
  saveAndSignIn: "Save and sign in",
  required: "This field is required.",

  authWrongCredentials: "Wrong username or password.",
  authResetRequired: "You must reset your password. Ask an operator for help.",
  authNotConfirmed: "Your account is not confirmed yet.",
  authInvalidPassword:
    "The password does not meet the policy: at least 12 characters, with upper-case and lower-case letters and digits.",
  authTooMany: "Too many attempts. Wait a few minutes and try again.",
  authNetwork: "The sign-in service could not be reached. Check your connection.",
  authChallengeUnsupported: (name: string) => `This sign-in step (${name}) is not available in the console yet.`,
  authOther: (code: string) => `Sign-in failed (${code}).`,

  notStaffTitle: "This console is for staff",
  notStaffBody:
    "Your account is neither a nurse's nor an operator's. Members use the PTI Migrante app, not this console.",

  navLabel: "Sections",
  navAgenda: "My agenda",
  navFigures: "Programme figures",

  agendaTitle: "My agenda",
  viewLabel: "View",
  viewDay: "Day",
  viewWeek: "Week",
  dateLabel: "Date",
  previousDay: "Previous day",
  nextDay: "Next day",
  previousWeek: "Previous week",
  nextWeek: "Next week",
  today: "Today",
  reload: "Refresh",
  timesNote: "Mexico City times.",
  weekOf: (first: string, last: string) => `Week of ${first} to ${last}`,
  noConsults: "No consults.",
  dayOff: "Day off",
  consultCount: (n: number) => (n === 1 ? "1 consult" : `${n} consults`),
  patient: "Patient",
  memberPatient: "The member",
  years: (age: number) => (age === 1 ? "1 year old" : `${age} years old`),
  reason: "Reason",
  status: "Status",
  joinWindow: "Can join",
  joinOpenNow: "Open now",
  joinClosed: "Closed",
  joinNotYet: "Not yet",
  cancelledBy: (who: string) => `Cancelled by ${who}`,
  cancelledByMember: "the member",
  cancelledByNurse: "the nurse",
  noshowBy: (who: string) => `Did not attend: ${who}`,
  noshowPatient: "the patient",
  noshowNurse: "the nurse",
  appointmentStatus: {
    booked: "Booked",
    arrived: "In progress",
    fulfilled: "Attended",
    cancelled: "Cancelled",
    noshow: "No-show",
  },

  figuresTitle: "Programme figures",
  figuresMonth: (month: string) => `Month: ${month}`,
  membersByStatus: "Members by status",
  memberStatusColumn: "Status",
  countColumn: "Count",
  total: "Total",
  beneficiaries: "Registered beneficiaries",
  paymentsThisMonth: "This month's payments",
  paymentKindColumn: "Payments",
  amountColumn: "Amount (MXN)",
  memberStatus: {
    pending_payment: "Pending payment",
    active: "Active",
    lapsed: "Lapsed",
    cancelled: "Cancelled",
  },
  paymentKind: {
    received: "Received",
    applied: "Applied",
    unmatched: "Unmatched",
    reversed: "Reversed",
  },
  figuresLater: "Coming soon: charts over a chosen range and work queues (unmatched payments, identity claims).",

  problemNetwork: "The API could not be reached",
  problemNetworkDetail: "Check your connection or try again later.",
  problemUnexpected: "Unexpected answer from the API",
  problemUnexpectedDetail: (status: number) => `The API answered with status ${status}.`,
  problemReference: "Reference for support",
  problemFields: "Check these fields:",
};

const catalogue: Record<Lang, Texts> = { es, en };

export function texts(lang: Lang): Texts {
  return catalogue[lang];
}

/** The BCP 47 locale used for dates and numbers in each language (Mexican Spanish; US English). */
export function locale(lang: Lang): string {
  return lang === "es" ? "es-MX" : "en-US";
}

// The language is kept in memory only (never in storage): the API client reads it for Accept-Language.
let current: Lang = "es";

export function currentLang(): Lang {
  return current;
}

export function applyLang(lang: Lang): void {
  current = lang;
  document.documentElement.lang = lang;
  document.title = `${catalogue[lang].appName} · ${catalogue[lang].appSubtitle}`;
}
