// The operators' data-rights (ARCO) requests screen's texts, in Spanish and English (merged by i18n.ts).
import type { components } from "../api";

type Schemas = components["schemas"];
type ArcoRight = Schemas["ClosureOut"]["right"];
type KeptData = Schemas["KeptClass"]["data"];

export const es = {
  arcoTitle: "Solicitudes ARCO",
  arcoIntro:
    "Solicitudes de derechos ARCO abiertas, la de plazo más próximo primero. La respuesta vence 20 días hábiles después del día en que llegó la solicitud (calendario laboral); se resaltan las que tienen 5 días hábiles o menos.",
  arcoEmpty: "No hay solicitudes ARCO abiertas.",
  arcoCount: (n: number, more: boolean) =>
    `${n === 1 ? "1 solicitud abierta" : `${n} solicitudes abiertas`}${more ? "; hay más" : ""}.`,
  arcoMore: "Cargar más solicitudes",
  arcoOpen: "Ver la solicitud",
  arcoRight: { cancellation: "Cancelación (cerrar la cuenta)" } satisfies Record<ArcoRight, string>,
  arcoRightLabel: "Derecho",
  arcoMember: "Afiliado",
  arcoRequestId: "Solicitud",
  arcoRequestedAt: "Recibida",
  arcoDeadline: "Vence",
  arcoDaysLeftLabel: "Días hábiles restantes",
  arcoDaysLeft: (n: number) =>
    n < 0
      ? `Vencida hace ${-n === 1 ? "1 día hábil" : `${-n} días hábiles`}`
      : n === 0
        ? "Vence hoy"
        : n === 1
          ? "Queda 1 día hábil"
          : `Quedan ${n} días hábiles`,
  arcoUrgent: "Plazo próximo",
  arcoStatusLabel: "Estado",
  arcoStatus: { open: "Abierta", completed: "Respondida" } satisfies Record<Schemas["ClosureOut"]["status"], string>,
  arcoStatusBefore: "Estado del afiliado al pedirla",
  arcoBack: "Volver a la lista",
  arcoCaseTitle: "Solicitud ARCO",
  arcoAnswer: "Responder (cerrar la cuenta)",
  arcoConfirmTitle: "¿Responder la solicitud y cerrar la cuenta? No se puede deshacer.",
  arcoConfirmEffects: [
    "Se cancelan las consultas que sigan reservadas.",
    "Se desactiva su acceso y se cierran sus sesiones; se olvidan sus dispositivos.",
    "Se borran su correo, teléfono, domicilio y familiar en México, y sus beneficiarios.",
    "La cuenta queda cerrada.",
  ],
  arcoConfirmKept:
    "Lo que la ley obliga a conservar (expediente clínico, bitácora de accesos, comprobantes de pago, identidad y consentimientos, esta solicitud) se conserva hasta la fecha que indica la respuesta.",
  arcoConfirm: "Sí, responder y cerrar la cuenta",
  arcoConfirming: "Respondiendo…",
  arcoKeep: "No, volver",
  arcoAnswered: "Solicitud respondida: la cuenta quedó cerrada.",
  arcoCompletedAt: "Respondida",
  arcoCompletedBy: "Respondió",
  arcoErasedTitle: "Lo que se borró",
  arcoErasedNone: "Nada.",
  arcoErased: {
    email: "Correo electrónico",
    phone: "Teléfono",
    residence: "Domicilio",
    relative_in_mexico: "Familiar en México",
    beneficiaries: "Beneficiarios",
    devices: "Dispositivos (notificaciones)",
    waitlist: "Lista de espera",
    sign_in: "Acceso a la cuenta",
  } as Record<string, string>,
  arcoKeptTitle: "Lo que se conserva, por qué ley y hasta cuándo",
  arcoKeptData: "Datos",
  arcoKeptLaw: "Ley",
  arcoKeptUntil: "Hasta",
  arcoKept: {
    health_record: "Expediente clínico",
    record_access_log: "Bitácora de accesos al expediente",
    payment_evidence: "Comprobantes de pago",
    identity_and_consents: "Identidad y consentimientos",
    arco_request: "Esta solicitud y su respuesta",
  } satisfies Record<KeptData, string>,
};

export const en: typeof es = {
  arcoTitle: "ARCO requests",
  arcoIntro:
    "Open data-rights (ARCO) requests, earliest deadline first. The answer is due 20 business days after the day the request arrived (labour calendar); those with 5 business days or fewer left are highlighted.",
  arcoEmpty: "There are no open ARCO requests.",
  arcoCount: (n: number, more: boolean) =>
    `${n === 1 ? "1 open request" : `${n} open requests`}${more ? "; there are more" : ""}.`,
  arcoMore: "Load more requests",
  arcoOpen: "View the request",
  arcoRight: { cancellation: "Cancellation (close the account)" },
  arcoRightLabel: "Right",
  arcoMember: "Member",
  arcoRequestId: "Request",
  arcoRequestedAt: "Received",
  arcoDeadline: "Due",
  arcoDaysLeftLabel: "Business days left",
  arcoDaysLeft: (n: number) =>
    n < 0
      ? `Overdue by ${-n === 1 ? "1 business day" : `${-n} business days`}`
      : n === 0
        ? "Due today"
        : n === 1
          ? "1 business day left"
          : `${n} business days left`,
  arcoUrgent: "Due soon",
  arcoStatusLabel: "Status",
  arcoStatus: { open: "Open", completed: "Answered" },
  arcoStatusBefore: "Member's status when asking",
  arcoBack: "Back to the list",
  arcoCaseTitle: "ARCO request",
  arcoAnswer: "Answer (close the account)",
  arcoConfirmTitle: "Answer the request and close the account? This cannot be undone.",
  arcoConfirmEffects: [
    "Consults still booked are cancelled.",
    "Their sign-in is disabled and their sessions ended; their devices are forgotten.",
    "Their e-mail, phone, address and relative in Mexico are erased, and their beneficiaries.",
    "The account is closed.",
  ],
  arcoConfirmKept:
    "What the law requires to keep (health record, record access log, payment evidence, identity and consents, this request) is kept until the date the answer gives.",
  arcoConfirm: "Yes, answer and close the account",
  arcoConfirming: "Answering…",
  arcoKeep: "No, go back",
  arcoAnswered: "Request answered: the account is closed.",
  arcoCompletedAt: "Answered",
  arcoCompletedBy: "Answered by",
  arcoErasedTitle: "What was erased",
  arcoErasedNone: "Nothing.",
  arcoErased: {
    email: "E-mail",
    phone: "Phone",
    residence: "Address",
    relative_in_mexico: "Relative in Mexico",
    beneficiaries: "Beneficiaries",
    devices: "Devices (notifications)",
    waitlist: "Waiting list",
    sign_in: "Sign-in",
  },
  arcoKeptTitle: "What is kept, under which law and until when",
  arcoKeptData: "Data",
  arcoKeptLaw: "Law",
  arcoKeptUntil: "Until",
  arcoKept: {
    health_record: "Health record",
    record_access_log: "Record access log",
    payment_evidence: "Payment evidence",
    identity_and_consents: "Identity and consents",
    arco_request: "This request and its answer",
  },
};
