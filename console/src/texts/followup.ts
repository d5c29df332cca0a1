// The consult's follow-up booking texts, in Spanish and English (merged into the catalogue by i18n.ts).
export const es = {
  followUpTitle: "Agendar seguimiento",
  followUpIntro:
    "Agenda la siguiente teleconsulta del paciente. Se reserva con las mismas reglas que las reservas del afiliado (meses cubiertos, consentimiento, sin empalmes).",
  followUpWithLegend: "¿Con quién?",
  followUpWithMe: "Conmigo",
  followUpWithAny: "Con la primera enfermera disponible",
  followUpFrom: "Desde",
  followUpTo: "Hasta",
  followUpRangeHint: "Hasta 31 días. Horarios de la Ciudad de México.",
  followUpSearch: "Ver horarios libres",
  followUpSearching: "Buscando…",
  followUpSlotsLegend: "Horarios libres (Ciudad de México)",
  followUpSlotsFound: (count: number) =>
    count === 1 ? "1 horario libre en estas fechas." : `${count} horarios libres en estas fechas.`,
  followUpNoSlots: "No hay horarios libres en estas fechas. Prueba con otras fechas o con cualquier enfermera.",
  followUpMoreSlots: "Más horarios",
  followUpChooseSlot: "Elige un horario de la lista.",
  followUpSlotTaken: "Alguien acaba de reservar ese horario. La lista ya muestra los horarios que siguen libres: elige otro.",
  followUpReason: "Motivo del seguimiento",
  followUpReasonHint: "Entre 3 y 500 caracteres. El afiliado lo verá en su aplicación.",
  followUpBook: "Agendar el seguimiento",
  followUpBooking: "Agendando…",
  followUpBooked: "Seguimiento agendado",
  followUpBookedWhen: "Fecha y hora (Ciudad de México)",
  followUpBookedWith: "Con",
  followUpBookedNotice:
    "Avisamos al afiliado. Puede cancelarlo o cambiarlo de horario desde su aplicación, como cualquier otra consulta.",
};

export const en: typeof es = {
  followUpTitle: "Book a follow-up",
  followUpIntro:
    "Book the patient's next teleconsult. It is booked under the same rules as the member's own bookings (covered months, consent, no overlaps).",
  followUpWithLegend: "With whom?",
  followUpWithMe: "With me",
  followUpWithAny: "With the first free nurse",
  followUpFrom: "From",
  followUpTo: "To",
  followUpRangeHint: "Up to 31 days. Mexico City times.",
  followUpSearch: "Show free times",
  followUpSearching: "Searching…",
  followUpSlotsLegend: "Free times (Mexico City)",
  followUpSlotsFound: (count: number) =>
    count === 1 ? "1 free time in these dates." : `${count} free times in these dates.`,
  followUpNoSlots: "No free times in these dates. Try other dates or any nurse.",
  followUpMoreSlots: "More times",
  followUpChooseSlot: "Choose a time from the list.",
  followUpSlotTaken: "Someone just booked that time. The list now shows the times still free: choose another.",
  followUpReason: "Reason for the follow-up",
  followUpReasonHint: "3 to 500 characters. The member will see it in their app.",
  followUpBook: "Book the follow-up",
  followUpBooking: "Booking…",
  followUpBooked: "Follow-up booked",
  followUpBookedWhen: "Date and time (Mexico City)",
  followUpBookedWith: "With",
  followUpBookedNotice:
    "The member was notified. They may cancel or reschedule it from their app, like any other consult.",
};
