// Every text the console shows, in Spanish (the default) and English. Texts that come from the API (problem titles,
// details and field messages) arrive already in the language sent as Accept-Language; these are the console's own.
import type { components } from "./api";
import * as queues from "./texts/queues";
import * as followup from "./texts/followup";
import * as people from "./texts/people";
import * as video from "./texts/video";
import * as arco from "./texts/arco";

type AppointmentStatus = components["schemas"]["AppointmentWithReason"]["status"];
type MemberStatus = components["schemas"]["MemberStatus"];
type EntryKind = components["schemas"]["Entry"]["kind"];
/** The availability's settings besides its windows and days off (slot length, buffer, lead time, horizon). */
export type AvailabilitySetting = Exclude<keyof components["schemas"]["Availability"], "windows" | "days_off">;
export type VitalSign = keyof components["schemas"]["VitalSigns-Input"];
/** The note's text fields (its vital signs and referral apart). */
export type NoteText = Exclude<keyof components["schemas"]["ConsultNote-Input"], "vital_signs" | "referral">;

export type Lang = "es" | "en";
export const LANGS: readonly Lang[] = ["es", "en"];

const coreEs = {
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
  navAvailability: "Mi disponibilidad",
  navFigures: "Cifras del programa",
  navPayments: "Pagos sin asignar",
  navClaims: "Identidades",
  navMembers: "Buscar afiliado",
  navNurses: "Enfermeras",
  navAudit: "Accesos a expedientes",
  navArco: "Solicitudes ARCO",

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

  openConsult: (time: string) => `Abrir la consulta de las ${time}`,

  availabilityTitle: "Mi disponibilidad",
  availabilityIntro:
    "Tu horario semanal, en hora de la Ciudad de México. Al publicarlo se crean tus horarios de consulta; las consultas ya reservadas no cambian.",
  programHours:
    "Horario del programa (Ciudad de México): de lunes a viernes de 08:00 a 20:00; sábado y domingo de 07:30 a 20:30. Los horarios van en pasos de 5 minutos.",
  notPublishedYet: "Aún no has publicado tu disponibilidad: añade al menos un horario y publícala.",
  windowsLegend: "Horarios semanales",
  windowLabel: (n: number) => `Horario ${n}`,
  weekday: "Día",
  from: "Desde",
  until: "Hasta",
  addWindow: "Añadir horario",
  removeWindow: (n: number) => `Quitar el horario ${n}`,
  remove: "Quitar",
  noWindows: "Sin horarios.",
  weekdays: ["Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo"],
  settingsLegend: "Ajustes",
  availabilitySetting: {
    slot_minutes: "Duración de cada consulta (minutos)",
    buffer_minutes: "Descanso entre consultas (minutos)",
    lead_minutes: "Anticipación mínima para reservar (minutos)",
    horizon_weeks: "Semanas publicadas por adelantado",
  } satisfies Record<AvailabilitySetting, string>,
  daysOffLegend: "Días libres",
  dayOffLabel: (n: number) => `Día libre ${n}`,
  addDayOff: "Añadir día libre",
  removeDayOff: (n: number) => `Quitar el día libre ${n}`,
  noDaysOff: "Sin días libres.",
  publish: "Publicar disponibilidad",
  publishing: "Publicando…",
  published: (added: number, removed: number, changed: number, through: string) =>
    `Disponibilidad publicada: ${added} horarios nuevos, ${removed} retirados y ${changed} actualizados. Hay horarios hasta el ${through}.`,
  notANumber: "Escribe un número.",

  consultTitle: "Consulta",
  backToAgenda: "Volver a mi agenda",
  startedAt: "Iniciada",
  actionsTitle: "Acciones",
  startConsult: "Iniciar consulta",
  startFrom: (opens: string, closes: string) => `Podrás iniciarla de ${opens} a ${closes}.`,
  startClosed: "El plazo para iniciarla terminó.",
  started: "Consulta iniciada.",
  patientAbsentFrom: (time: string) => `Si el paciente no llega, podrás registrarlo desde las ${time}.`,
  patientAbsent: "El paciente no se presentó",
  patientAbsentConfirm: "¿Registrar que el paciente no se presentó? No se puede deshacer.",
  patientAbsentYes: "Sí, registrar la inasistencia",
  patientAbsentRecorded: "Inasistencia del paciente registrada.",
  goBack: "No, volver",
  cancelConsult: "Cancelar la consulta",
  cancelReason: "Motivo de la cancelación",
  cancelReasonHint: "El afiliado recibe un aviso con otros horarios; este motivo no se le envía.",
  confirmCancel: "Cancelar la consulta",
  keepConsult: "No cancelar",
  cancelled: "Consulta cancelada.",
  working: "Enviando…",

  noteTitle: "Nota de la consulta",
  noteIntro:
    "Al enviarla, la nota se firma con tu cuenta y la consulta termina. Una nota firmada no se cambia: las correcciones se hacen con adendas.",
  noteText: {
    reason: "Motivo de la consulta",
    symptoms: "Síntomas y padecimiento actual",
    assessment: "Valoración",
    plan: "Plan",
    recommendations: "Recomendaciones",
    prognosis: "Pronóstico",
    free_text: "Notas adicionales (opcional)",
  } satisfies Record<NoteText, string>,
  vitalsLegend: "Signos vitales (opcional)",
  vitalsHint: "Los que el paciente midió o reportó; deja vacíos los que no haya.",
  vitalSign: {
    temperature_c: "Temperatura (°C)",
    heart_rate_bpm: "Frecuencia cardiaca (latidos por minuto)",
    respiratory_rate_rpm: "Frecuencia respiratoria (respiraciones por minuto)",
    systolic_mmhg: "Presión sistólica (mmHg)",
    diastolic_mmhg: "Presión diastólica (mmHg)",
    oxygen_saturation_pct: "Saturación de oxígeno (%)",
    glucose_mg_dl: "Glucosa (mg/dL)",
    weight_kg: "Peso (kg)",
    height_cm: "Talla (cm)",
  } satisfies Record<VitalSign, string>,
  referralLegend: "Referencia",
  referToUnit: "Referir a su Unidad de Medicina Familiar",
  referralWhy: "Motivo de referir o de no referir",
  signNote: "Firmar la nota y terminar la consulta",
  signing: "Firmando…",
  noteSigned: "Nota firmada",
  signedAt: "Firmada",
  signedBy: "Firmó",
  cedula: (number: string) => `cédula ${number}`,
  entryHash: "Huella (SHA-256)",
  entryId: "Registro",
  fulfilledElsewhere: "Consulta atendida: su nota firmada está en el historial del paciente.",

  addendumTitle: "Adenda a la nota",
  addendumText: "Texto de la adenda",
  addendumHint: "Corrige o completa la nota; la nota firmada no cambia.",
  signAddendum: "Firmar la adenda",
  addendumSigned: (time: string) => `Adenda firmada a las ${time}.`,

  historyTitle: "Historial del paciente",
  historyNotice:
    "Abrirlo queda registrado en la bitácora de auditoría del expediente; el motivo del acceso es esta consulta.",
  showHistory: "Ver el historial",
  historyEmpty: "El expediente aún no tiene registros.",
  olderEntries: "Ver registros anteriores",
  entryKind: { "consult-note": "Nota de consulta", addendum: "Adenda" } satisfies Record<EntryKind, string>,
  amends: (seq: number) => `Corrige o completa el registro ${seq}`,
  entryNumber: (seq: number) => `Registro ${seq}`,
  referredYes: "Referido a su Unidad de Medicina Familiar",
  referredNo: "Sin referencia",

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
    closing: "Cerrando cuenta",
    closed: "Cuenta cerrada",
  } satisfies Record<MemberStatus, string>,
  paymentKind: {
    received: "Recibidos",
    applied: "Aplicados",
    unmatched: "Sin asignar",
    reversed: "Revertidos",
  } as Record<string, string>,

  problemNetwork: "No se pudo conectar con la API",
  problemNetworkDetail: "Revisa tu conexión o inténtalo más tarde.",
  problemUnexpected: "Respuesta inesperada de la API",
  problemUnexpectedDetail: (status: number) => `La API respondió con el estado ${status}.`,
  problemReference: "Referencia para soporte",
  problemFields: "Revisa estos campos:",
};

// Each area keeps its texts in its own module (texts/); keys are prefixed by area so none overrides another.
const es = { ...coreEs, ...queues.es, ...people.es, ...video.es, ...followup.es, ...arco.es };
export type Texts = typeof es;

const coreEn: typeof coreEs = {
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
  navAvailability: "My availability",
  navFigures: "Programme figures",
  navPayments: "Unmatched payments",
  navClaims: "Identities",
  navMembers: "Find a member",
  navNurses: "Nurses",
  navAudit: "Record access",
  navArco: "ARCO requests",

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

  openConsult: (time: string) => `Open the ${time} consult`,

  availabilityTitle: "My availability",
  availabilityIntro:
    "Your weekly hours, in Mexico City time. Publishing them creates your consult slots; consults already booked do not change.",
  programHours:
    "The programme's hours (Mexico City): Monday to Friday 08:00 to 20:00; Saturday and Sunday 07:30 to 20:30. Times go in steps of 5 minutes.",
  notPublishedYet: "You have not published your availability yet: add at least one window and publish it.",
  windowsLegend: "Weekly windows",
  windowLabel: (n: number) => `Window ${n}`,
  weekday: "Day",
  from: "From",
  until: "Until",
  addWindow: "Add a window",
  removeWindow: (n: number) => `Remove window ${n}`,
  remove: "Remove",
  noWindows: "No windows.",
  weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
  settingsLegend: "Settings",
  availabilitySetting: {
    slot_minutes: "Length of each consult (minutes)",
    buffer_minutes: "Break between consults (minutes)",
    lead_minutes: "Minimum notice to book (minutes)",
    horizon_weeks: "Weeks published ahead",
  },
  daysOffLegend: "Days off",
  dayOffLabel: (n: number) => `Day off ${n}`,
  addDayOff: "Add a day off",
  removeDayOff: (n: number) => `Remove day off ${n}`,
  noDaysOff: "No days off.",
  publish: "Publish availability",
  publishing: "Publishing…",
  published: (added: number, removed: number, changed: number, through: string) =>
    `Availability published: ${added} new slots, ${removed} removed and ${changed} updated. Slots run until ${through}.`,
  notANumber: "Enter a number.",

  consultTitle: "Consult",
  backToAgenda: "Back to my agenda",
  startedAt: "Started",
  actionsTitle: "Actions",
  startConsult: "Start the consult",
  startFrom: (opens: string, closes: string) => `You can start it from ${opens} to ${closes}.`,
  startClosed: "The time to start it has passed.",
  started: "Consult started.",
  patientAbsentFrom: (time: string) => `If the patient does not come, you can record it from ${time}.`,
  patientAbsent: "The patient did not attend",
  patientAbsentConfirm: "Record that the patient did not attend? This cannot be undone.",
  patientAbsentYes: "Yes, record the no-show",
  patientAbsentRecorded: "The patient's no-show was recorded.",
  goBack: "No, go back",
  cancelConsult: "Cancel the consult",
  cancelReason: "Reason for cancelling",
  cancelReasonHint: "The member is notified and offered other times; this reason is not sent to them.",
  confirmCancel: "Cancel the consult",
  keepConsult: "Do not cancel",
  cancelled: "Consult cancelled.",
  working: "Sending…",

  noteTitle: "Consult note",
  noteIntro:
    "On sending, the note is signed with your account and the consult ends. A signed note never changes: corrections are made with addenda.",
  noteText: {
    reason: "Reason for the consult",
    symptoms: "Symptoms and present illness",
    assessment: "Assessment",
    plan: "Plan",
    recommendations: "Recommendations",
    prognosis: "Prognosis",
    free_text: "Further notes (optional)",
  },
  vitalsLegend: "Vital signs (optional)",
  vitalsHint: "Those the patient measured or reported; leave the others empty.",
  vitalSign: {
    temperature_c: "Temperature (°C)",
    heart_rate_bpm: "Heart rate (beats per minute)",
    respiratory_rate_rpm: "Respiratory rate (breaths per minute)",
    systolic_mmhg: "Systolic pressure (mmHg)",
    diastolic_mmhg: "Diastolic pressure (mmHg)",
    oxygen_saturation_pct: "Oxygen saturation (%)",
    glucose_mg_dl: "Glucose (mg/dL)",
    weight_kg: "Weight (kg)",
    height_cm: "Height (cm)",
  },
  referralLegend: "Referral",
  referToUnit: "Refer to their family medicine unit (UMF)",
  referralWhy: "Why refer, or why not",
  signNote: "Sign the note and end the consult",
  signing: "Signing…",
  noteSigned: "Note signed",
  signedAt: "Signed",
  signedBy: "Signed by",
  cedula: (number: string) => `licence ${number}`,
  entryHash: "Fingerprint (SHA-256)",
  entryId: "Entry",
  fulfilledElsewhere: "Consult attended: its signed note is in the patient's history.",

  addendumTitle: "Addendum to the note",
  addendumText: "Addendum text",
  addendumHint: "Corrects or completes the note; the signed note does not change.",
  signAddendum: "Sign the addendum",
  addendumSigned: (time: string) => `Addendum signed at ${time}.`,

  historyTitle: "Patient history",
  historyNotice: "Opening it is recorded in the record's audit log; the reason for access is this consult.",
  showHistory: "Show the history",
  historyEmpty: "The record has no entries yet.",
  olderEntries: "Show older entries",
  entryKind: { "consult-note": "Consult note", addendum: "Addendum" },
  amends: (seq: number) => `Corrects or completes entry ${seq}`,
  entryNumber: (seq: number) => `Entry ${seq}`,
  referredYes: "Referred to their family medicine unit",
  referredNo: "Not referred",

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
    closing: "Closing",
    closed: "Closed",
  },
  paymentKind: {
    received: "Received",
    applied: "Applied",
    unmatched: "Unmatched",
    reversed: "Reversed",
  },

  problemNetwork: "The API could not be reached",
  problemNetworkDetail: "Check your connection or try again later.",
  problemUnexpected: "Unexpected answer from the API",
  problemUnexpectedDetail: (status: number) => `The API answered with status ${status}.`,
  problemReference: "Reference for support",
  problemFields: "Check these fields:",
};

const en: Texts = { ...coreEn, ...queues.en, ...people.en, ...video.en, ...followup.en, ...arco.en };

const catalogue: Record<Lang, Texts> = { es, en };

export function texts(lang: Lang): Texts {
  return catalogue[lang];
}

/** The BCP 47 locale used for dates and numbers in each language (Mexican Spanish; US English). */
export function locale(lang: Lang): string {
  return lang === "es" ? "es-MX" : "en-US";
}

/** Counts and money (from the API's decimal strings, or centavos) in the user's language. */
export function formatters(lang: Lang) {
  const number = new Intl.NumberFormat(locale(lang));
  const money = new Intl.NumberFormat(locale(lang), { style: "currency", currency: "MXN" });
  return {
    count: (value: number) => number.format(value),
    money: (value: string | number) => money.format(Number(value)),
    centavos: (value: number) => money.format(value / 100),
  };
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
