"""Caller-facing text in Spanish (default) and English, chosen by `Accept-Language`.

Keys are problem slugs, detail keys and field-error keys (pydantic error types or our own). A key missing from the
catalogue falls back to a generic sentence, so a new pydantic error type never turns into a 500.
"""

from typing import Any, Literal

Language = Literal["es", "en"]
DEFAULT_LANGUAGE: Language = "es"

_TEXT: dict[str, tuple[str, str]] = {
    # Problem titles, by slug.
    "title.malformed-request": ("Solicitud mal formada", "Malformed request"),
    "title.unauthenticated": ("Autenticación requerida", "Authentication required"),
    "title.forbidden": ("Acceso denegado", "Access denied"),
    "title.not-found": ("Recurso no encontrado", "Resource not found"),
    "title.method-not-allowed": ("Método no permitido", "Method not allowed"),
    "title.conflict": ("Conflicto", "Conflict"),
    "title.payload-too-large": ("Solicitud demasiado grande", "Request too large"),
    "title.unsupported-media-type": ("Tipo de contenido no admitido", "Unsupported media type"),
    "title.validation": ("Datos inválidos", "Invalid data"),
    "title.unavailable": ("Servicio no disponible", "Service unavailable"),
    "title.precondition-failed": ("El recurso cambió", "The resource changed"),
    "title.precondition-required": ("Falta la versión", "Version required"),
    "title.internal": ("Error interno", "Internal error"),
    # Problem details, by detail key.
    "malformed-request": ("La solicitud no se pudo interpretar.", "The request could not be understood."),
    "malformed-json": (
        "El cuerpo no es JSON válido (línea {line}, columna {column}).",
        "The body is not valid JSON (line {line}, column {column}).",
    ),
    "body-not-utf8": ("El cuerpo debe estar codificado en UTF-8.", "The body must be UTF-8 encoded."),
    "json-limits": (
        "El JSON anida más de {depth} niveles o tiene un número de más de {digits} caracteres.",
        "The JSON nests deeper than {depth} levels or has a number longer than {digits} characters.",
    ),
    "unauthenticated": (
        "Inicie sesión y envíe su token en el encabezado Authorization: Bearer <token>.",
        "Sign in and send your token in the Authorization: Bearer <token> header.",
    ),
    "token-missing": (
        "Falta el encabezado Authorization: Bearer <token>.",
        "The Authorization: Bearer <token> header is missing.",
    ),
    "token-expired": ("Su sesión expiró; inicie sesión de nuevo.", "Your session expired; sign in again."),
    "token-invalid": ("El token de acceso no es válido.", "The access token is not valid."),
    "forbidden": ("Su cuenta no tiene permiso para esta operación.", "Your account may not perform this operation."),
    "role-required": (
        "Esta operación es solo para: {roles}.",
        "This operation is only for: {roles}.",
    ),
    "not-found": ("No existe la ruta {path}.", "There is no route {path}."),
    "method-not-allowed": (
        "La ruta {path} no admite {method}; use {allowed}.",
        "Route {path} does not accept {method}; use {allowed}.",
    ),
    "conflict": ("La operación choca con el estado actual; intente de nuevo.", "The operation conflicts with the current state; try again."),
    "payload-too-large": (
        "El cuerpo mide {size} bytes; el máximo es {limit}.",
        "The body is {size} bytes; the maximum is {limit}.",
    ),
    "unsupported-media-type": (
        "Envíe el cuerpo como application/json (recibido: {content_type}).",
        "Send the body as application/json (received: {content_type}).",
    ),
    "validation": (
        "Revise los campos indicados en `errors`.",
        "Check the fields listed in `errors`.",
    ),
    "precondition-failed": (
        "Su perfil cambió desde otro dispositivo; vuelva a cargarlo y repita el cambio.",
        "Your profile changed from another device; reload it and make the change again.",
    ),
    "profile-changed": (
        "Su perfil cambió desde otro dispositivo; vuelva a cargarlo y repita el cambio.",
        "Your profile changed from another device; reload it and make the change again.",
    ),
    "precondition-required": (
        "Envíe el encabezado If-Match con la ETag de su perfil (GET /v1/me) para no sobrescribir otros cambios.",
        "Send the If-Match header with your profile's ETag (GET /v1/me) so other changes are not overwritten.",
    ),
    "already-registered": (
        "Su cuenta ya tiene un registro como persona trabajadora independiente.",
        "Your account is already registered as an independent worker.",
    ),
    "not-registered": (
        "Aún no completa su registro; regístrese primero.",
        "You have not registered yet; register first.",
    ),
    "resource-not-found": ("No existe ese recurso.", "There is no such resource."),
    "member-not-found": ("No hay una persona asegurada con ese dato.", "No member has that identifier."),
    "partner-exists": (
        "Ya tiene registrado(a) a su cónyuge o concubino(a); solo se permite uno.",
        "You already have a spouse or partner registered; only one is allowed.",
    ),
    "beneficiary-exists": (
        "Esta persona ya es su beneficiaria.",
        "This person is already your beneficiary.",
    ),
    "claim-not-found": ("No existe esa solicitud de identidad.", "There is no such identity claim."),
    "claim-decided": (
        "Esa solicitud de identidad ya se resolvió; recargue para ver la decisión.",
        "That identity claim has already been decided; reload to see the decision.",
    ),
    "claim-changed": (
        "Las personas o la beneficiaria cambiaron mientras se decidía (otra decisión, una baja); recargue y vuelva a "
        "decidir.",
        "The persons or the beneficiary changed while this was being decided (another decision, a removal); reload and "
        "decide again.",
    ),
    "claim-not-same-curp": (
        "Las dos personas tienen CURP distintas (la coincidencia es de NSS): solo puede rechazarse.",
        "The two persons have different CURPs (the match is on the NSS): it can only be rejected.",
    ),
    "claim-document-mismatch": (
        "La identificación no coincide con la CURP (fecha de nacimiento); no se confirmó.",
        "The ID does not agree with the CURP (birth date); nothing was confirmed.",
    ),
    "claim-person-has-account": (
        "Esa persona ya tiene su propia cuenta; dos cuentas no pueden ser la misma persona. Rechace la solicitud y "
        "atienda la recuperación de la cuenta.",
        "That person already has an account of their own; two accounts cannot be one person. Reject the claim and "
        "handle it as an account recovery.",
    ),
    "beneficiary-not-found": ("No existe ese beneficiario.", "There is no such beneficiary."),
    "reference-changed": (
        "Su perfil cambió mientras se generaba la línea de captura; inténtelo de nuevo.",
        "Your profile changed while the payment reference was being issued; try again.",
    ),
    "webhook-signature": (
        "Firma de webhook inválida: socio desconocido, firma o marca de tiempo incorrecta. No se guardó nada.",
        "Invalid webhook signature: unknown partner, wrong signature or timestamp. Nothing was stored.",
    ),
    "webhook-not-object": ("El evento debe ser un objeto JSON.", "The event must be a JSON object."),
    "payment-not-found": ("No existe ese pago.", "There is no such payment."),
    "nurse-exists": ("Ya existe una enfermera con ese usuario.", "A nurse with that username already exists."),
    "nurse-not-found": (
        "Su perfil de enfermera no existe; pida a un operador que lo cree.",
        "Your nurse profile does not exist; ask an operator to create it.",
    ),
    "availability-not-found": ("Aún no publica su disponibilidad.", "You have not published your availability yet."),
    "slot-not-found": ("Ese horario no existe.", "That slot does not exist."),
    "slot-taken": (
        "Alguien acaba de reservar ese horario; elija otro de `alternatives`.",
        "Someone just booked that slot; pick another from `alternatives`.",
    ),
    "slot-too-soon": (
        "Ese horario empieza muy pronto; reserve con al menos {minutes} minutos de anticipación.",
        "That slot starts too soon; book at least {minutes} minutes ahead.",
    ),
    "not-covered-that-month": (
        "Su cobertura no incluye {month}; pague ese mes para reservar.",
        "Your coverage does not include {month}; pay for that month to book.",
    ),
    "consent-required": (
        "Antes de la primera teleconsulta acepte el consentimiento informado (POST /v1/me/consents/teleconsultation).",
        "Before the first teleconsultation, accept the informed consent (POST /v1/me/consents/teleconsultation).",
    ),
    "patient-busy": (
        "Esa persona ya tiene una teleconsulta que se empalma con este horario.",
        "That person already has a teleconsultation overlapping this time.",
    ),
    "appointment-not-found": ("No existe esa teleconsulta.", "There is no such teleconsultation."),
    "already-waiting": (
        "Esa persona ya está en la lista de espera; sálgase primero para cambiar los días.",
        "That person is already on the waitlist; leave it first to change the days.",
    ),
    "record-adult-beneficiary": (
        "Ese beneficiario ya es mayor de edad: solo él puede consultar su expediente.",
        "That beneficiary is an adult: only they may read their record.",
    ),
    "record-not-assigned": (
        "Solo puede consultar el expediente de pacientes con una teleconsulta suya, hasta 7 días después.",
        "You may read the record only of patients with a consult of yours, until 7 days after it.",
    ),
    "record-changed": (
        "El expediente cambió mientras se escribía; inténtelo de nuevo.",
        "The record changed while writing; try again.",
    ),
    "entry-not-found": ("Esa entrada no existe en el expediente.", "There is no such entry in the record."),
    "not-waiting": ("Esa persona no está en la lista de espera.", "That person is not on the waitlist."),
    "appointment-status": (
        "La teleconsulta está en estado {current} y no puede pasar a {to}.",
        "The teleconsultation is {current} and cannot become {to}.",
    ),
    "too-many-upcoming": (
        "Ya tiene {maximum} teleconsultas pendientes; espere a que terminen o cancele una.",
        "You already hold {maximum} upcoming teleconsultations; wait for one to end or cancel one.",
    ),
    "noshow-too-early": (
        "La inasistencia se registra desde {minutes} minutos después del inicio.",
        "A no-show can be recorded from {minutes} minutes after the start.",
    ),
    "appointment-changed": (
        "La teleconsulta cambió mientras tanto; consúltela de nuevo.",
        "The teleconsultation changed meanwhile; read it again.",
    ),
    "cancel-too-late": (
        "Solo puede cancelar hasta {hours} horas antes del inicio.",
        "You can cancel only up to {hours} hours before the start.",
    ),
    "outside-consult-window": (
        "La teleconsulta se inicia desde 10 minutos antes hasta su hora de término.",
        "A consult can be started from 10 minutes before until its end time.",
    ),
    "patient-not-found": ("No es usted ni uno de sus beneficiarios.", "Not you nor one of your beneficiaries."),
    "patient-not-eligible": (
        "Ese beneficiario ya no es elegible para la cobertura.",
        "That beneficiary is no longer eligible for coverage.",
    ),
    "payment-not-unmatched": (
        "Ese pago ya no está pendiente de conciliar; otra persona lo resolvió o se revirtió.",
        "That payment is no longer waiting for reconciliation; someone resolved it or it was reversed.",
    ),
    "member-changed": (
        "La cobertura del miembro cambió mientras se resolvía; revise y vuelva a intentarlo.",
        "The member's coverage changed while resolving; check and try again.",
    ),
    "unavailable": (
        "El servicio no está disponible por el momento; intente de nuevo en unos segundos.",
        "The service is unavailable right now; try again in a few seconds.",
    ),
    "internal": (
        "Ocurrió un error inesperado. Si persiste, comparta el identificador {correlation_id} con soporte.",
        "An unexpected error occurred. If it persists, give support the identifier {correlation_id}.",
    ),
    # Role names, as shown to callers.
    "role.member": ("personas aseguradas", "insured members"),
    "role.nurse": ("personal de enfermería", "nurses"),
    "role.operator": ("personal operador del IMSS", "IMSS operators"),
    # Field errors, by pydantic error type or our own key.
    "field.missing": ("Este campo es obligatorio.", "This field is required."),
    "field.extra_forbidden": ("Este campo no se admite.", "This field is not allowed."),
    "field.string_type": ("Debe ser texto.", "Must be text."),
    "field.string_too_short": ("Debe tener al menos {min_length} caracteres.", "Must have at least {min_length} characters."),
    "field.string_too_long": ("Debe tener como máximo {max_length} caracteres.", "Must have at most {max_length} characters."),
    "field.string_pattern_mismatch": ("El formato no es válido.", "The format is not valid."),
    "field.int_type": ("Debe ser un número entero.", "Must be a whole number."),
    "field.int_parsing": ("Debe ser un número entero.", "Must be a whole number."),
    "field.int_from_float": ("Debe ser un número entero.", "Must be a whole number."),
    "field.float_type": ("Debe ser un número.", "Must be a number."),
    "field.float_parsing": ("Debe ser un número.", "Must be a number."),
    "field.decimal_type": ("Debe ser un número.", "Must be a number."),
    "field.decimal_parsing": ("Debe ser un número.", "Must be a number."),
    "field.decimal_max_places": ("Admite como máximo {decimal_places} decimales.", "Allows at most {decimal_places} decimal places."),
    "field.bool_type": ("Debe ser true o false.", "Must be true or false."),
    "field.bool_parsing": ("Debe ser true o false.", "Must be true or false."),
    "field.literal_error": ("Debe ser uno de: {expected}.", "Must be one of: {expected}."),
    "field.enum": ("Debe ser uno de: {expected}.", "Must be one of: {expected}."),
    "field.greater_than": ("Debe ser mayor que {gt}.", "Must be greater than {gt}."),
    "field.greater_than_equal": ("Debe ser mayor o igual a {ge}.", "Must be at least {ge}."),
    "field.less_than": ("Debe ser menor que {lt}.", "Must be less than {lt}."),
    "field.less_than_equal": ("Debe ser menor o igual a {le}.", "Must be at most {le}."),
    "field.too_short": ("Debe tener al menos {min_length} elementos.", "Must have at least {min_length} items."),
    "field.too_long": ("Debe tener como máximo {max_length} elementos.", "Must have at most {max_length} items."),
    "field.model_type": ("Debe ser un objeto JSON.", "Must be a JSON object."),
    "field.model_attributes_type": ("Debe ser un objeto JSON.", "Must be a JSON object."),
    "field.dict_type": ("Debe ser un objeto JSON.", "Must be a JSON object."),
    "field.list_type": ("Debe ser una lista.", "Must be a list."),
    "field.date_type": ("Debe ser una fecha AAAA-MM-DD.", "Must be a date YYYY-MM-DD."),
    "field.date_parsing": ("Debe ser una fecha AAAA-MM-DD.", "Must be a date YYYY-MM-DD."),
    "field.date_from_datetime_parsing": ("Debe ser una fecha AAAA-MM-DD.", "Must be a date YYYY-MM-DD."),
    "field.datetime_type": ("Debe ser fecha y hora ISO 8601 con zona horaria.", "Must be an ISO 8601 date-time with a time zone."),
    "field.datetime_parsing": ("Debe ser fecha y hora ISO 8601 con zona horaria.", "Must be an ISO 8601 date-time with a time zone."),
    "field.timezone_aware": ("Debe incluir la zona horaria.", "Must include the time zone."),
    "field.url_parsing": ("Debe ser una URL válida.", "Must be a valid URL."),
    "field.invalid": ("El valor no es válido.", "The value is not valid."),
    "field.curp_length": ("La CURP tiene 18 caracteres; esta tiene {length}.", "A CURP has 18 characters; this one has {length}."),
    "field.curp_format": (
        "La CURP no tiene el formato esperado: 4 letras, 6 números, 6 letras, 1 letra o número y 1 número.",
        "The CURP does not have the expected shape: 4 letters, 6 digits, 6 letters, 1 letter or digit, 1 digit.",
    ),
    "field.curp_birth_date": ("La fecha de nacimiento dentro de la CURP no existe.", "The birth date inside the CURP does not exist."),
    "field.curp_sex": ("La letra del sexo en la CURP (posición 11) debe ser H o M.", "The CURP's sex letter (position 11) must be H or M."),
    "field.curp_state": (
        "El código de entidad de nacimiento de la CURP (posiciones 12 y 13) no existe; si nació fuera de México es NE.",
        "The CURP's birth-state code (positions 12-13) does not exist; for people born abroad it is NE.",
    ),
    "field.curp_inconvenient_word": (
        "Las primeras cuatro letras de la CURP no son válidas; revise que estén bien escritas.",
        "The CURP's first four letters are not valid; check how they are written.",
    ),
    "field.curp_check_digit": (
        "El último dígito de la CURP no coincide; revise que no haya un error al escribirla.",
        "The CURP's last digit does not match; check it for a typo.",
    ),
    "field.nss_format": ("El NSS tiene exactamente 11 dígitos.", "The NSS has exactly 11 digits."),
    "field.decimal_string": (
        "Envíe los importes como texto decimal, p. ej. \"1766.90\".",
        "Send amounts as decimal strings, e.g. \"1766.90\".",
    ),
    "field.reference_or_nss": (
        "Envíe la línea de captura, o el NSS para SPEI.",
        "Send the payment reference, or the NSS for SPEI.",
    ),
    "field.time_with_offset": (
        "Las horas son de la Ciudad de México (HH:MM), sin zona horaria.",
        "Times are Mexico City clock times (HH:MM), without an offset.",
    ),
    "field.time_not_on_5_minutes": (
        "Las horas van en pasos de 5 minutos (p. ej. 08:00, 08:05).",
        "Times go in steps of 5 minutes (e.g. 08:00, 08:05).",
    ),
    "field.window_outside_program_hours": (
        "El {dia} el horario del programa es {opens}–{closes}, hora de la Ciudad de México.",
        "On {weekday} the programme's hours are {opens}–{closes}, Mexico City time.",
    ),
    "field.windows_overlap": ("Dos ventanas se empalman el {dia}.", "Two windows overlap on {weekday}."),
    "field.date_range": (
        "'to' debe ser igual o posterior a 'from', a lo más 31 días después.",
        "'to' must be on or after 'from', at most 31 days later.",
    ),
    "field.consent_version_outdated": (
        "Acepte el texto vigente (versión {current}).",
        "Accept the current text (version {current}).",
    ),
    "field.slot_id_format": (
        "No es un identificador de GET /v1/teleconsult/slots.",
        "Not a slot id from GET /v1/teleconsult/slots.",
    ),
    "field.blood_pressure_pair": (
        "Indique la presión sistólica y la diastólica, o ninguna.",
        "Give both systolic and diastolic pressure, or neither.",
    ),
    "field.blood_pressure_order": (
        "La presión sistólica debe ser mayor que la diastólica.",
        "Systolic pressure must be above diastolic.",
    ),
    "field.hidden_characters": (
        "Contiene caracteres de control o de cambio de dirección del texto; escríbalo sin ellos.",
        "Contains control or text-direction characters; write it without them.",
    ),
    "field.before_programme": (
        "El programa comenzó en enero de 2021; revise la fecha.",
        "The programme began in January 2021; check the date.",
    ),
    "field.apply_needs_member_and_months": (
        "Para aplicar el pago indique member_id y los meses (months).",
        "To apply the payment, give member_id and months.",
    ),
    "field.refund_takes_no_target": (
        "Una devolución no lleva member_id ni meses.",
        "A refund takes no member_id or months.",
    ),
    "field.months_repeated": ("Cada mes una sola vez.", "Each month once."),
    "field.curp_or_actor": ("Indique curp o actor_id, uno de los dos.", "Give either curp or actor_id."),
    "field.in_person_needs_document": (
        "Una revisión en persona o consular indica el lugar (place) y lo que dice la identificación (id_document); "
        "una de documentos, ninguno de los dos.",
        "An in-person or consular check gives the place and what the ID says (id_document); a documents check, neither.",
    ),
    "field.date_in_past": ("La fecha ya pasó (hora de la Ciudad de México).", "That date has passed (Mexico City time)."),
    "field.waitlist_range": (
        "'to' debe ser igual o posterior a 'from', con {days} días como máximo en total.",
        "'to' must be on or after 'from', at most {days} days in all.",
    ),
    "field.paid_at_in_future": ("La fecha de pago está en el futuro.", "The payment time is in the future."),
    "field.member_not_found": ("No existe un miembro con ese identificador.", "There is no member with that id."),
    "field.months_already_covered": (
        "Estos meses ya están cubiertos: {months}.",
        "These months are already covered: {months}.",
    ),
    "field.nss_check_digit": (
        "El último dígito del NSS no coincide; revise que no haya un error al escribirlo.",
        "The NSS's last digit does not match; check it for a typo.",
    ),
    "field.rfc_format": (
        "El RFC de persona física tiene 13 caracteres: 4 letras, 6 números y la homoclave de 3.",
        "An individual's RFC has 13 characters: 4 letters, 6 digits and a 3-character homoclave.",
    ),
    "field.rfc_birth_date": ("La fecha dentro del RFC no existe.", "The date inside the RFC does not exist."),
    "field.rfc_curp_mismatch": (
        "La fecha de nacimiento del RFC no coincide con la de la CURP.",
        "The birth date in the RFC differs from the one in the CURP.",
    ),
    "field.rfc_check_digit": (
        "El dígito verificador del RFC no coincide; revíselo con su constancia del SAT. Puede continuar.",
        "The RFC's check digit does not match; compare it with your SAT certificate. You may continue.",
    ),
    "field.under_working_age": (
        "Para registrarse debe tener al menos {minimum} años.",
        "You must be at least {minimum} years old to register.",
    ),
    "field.email_format": ("Escriba el correo como nombre@dominio.com.", "Write the e-mail as name@domain.com."),
    "field.phone_format": (
        "Escriba el teléfono con + y la clave del país, por ejemplo +13105550123.",
        "Write the phone with + and the country code, e.g. +13105550123.",
    ),
    "field.mx_phone_format": (
        "Un teléfono en México es +52 seguido de 10 dígitos.",
        "A phone in Mexico is +52 followed by 10 digits.",
    ),
    "field.postal_code_format": ("El código postal tiene 5 dígitos.", "The postal code has 5 digits."),
    "field.mx_state_unknown": (
        "Use la clave del estado, por ejemplo JAL, CMX o MIC.",
        "Use the state's code, e.g. JAL, CMX or MIC.",
    ),
    "field.us_state_unknown": (
        "Use la clave de dos letras del estado, por ejemplo CA, TX o IL.",
        "Use the state's two-letter code, e.g. CA, TX or IL.",
    ),
    "field.us_state_required": (
        "Indique el estado de Estados Unidos donde vive.",
        "Give the US state where you live.",
    ),
    "field.country_unknown": (
        "Use la clave ISO de dos letras del país, por ejemplo US o CA.",
        "Use the two-letter ISO country code, e.g. US or CA.",
    ),
    "field.residence_in_mexico": (
        "Este registro es para quienes viven y trabajan fuera de México.",
        "This registration is for people living and working outside Mexico.",
    ),
    "field.time_zone_unknown": (
        "Use una zona horaria IANA, por ejemplo America/Los_Angeles.",
        "Use an IANA time zone, e.g. America/Los_Angeles.",
    ),
    "field.terms_version_outdated": (
        "Acepte los términos vigentes (versión {current}).",
        "Accept the current terms (version {current}).",
    ),
    "field.sensitive_consent_required": (
        "Para registrarse necesitamos su consentimiento expreso para tratar datos sensibles.",
        "We need your express consent to process sensitive data before you can register.",
    ),
    "field.empty_patch": ("Envíe al menos un dato para cambiar.", "Send at least one field to change."),
    "field.lookup_needs_one": ("Busque por curp o por nss, uno de los dos.", "Look up by curp or by nss, exactly one."),
    "field.idempotency_key_format": (
        "Idempotency-Key debe tener de 1 a 255 caracteres visibles.",
        "Idempotency-Key must be 1 to 255 visible characters.",
    ),
    "field.idempotency_key_reused": (
        "Esta Idempotency-Key ya se usó con otros datos; use una nueva para una solicitud distinta.",
        "This Idempotency-Key was used with different data; use a new one for a different request.",
    ),
    "field.student_only_for_children": (
        "Solo un hijo o hija puede declararse estudiante.",
        "Only a child can be declared a student.",
    ),
    "field.parent_must_lives_with_member": (
        "Padre o madre debe vivir en el mismo domicilio que usted (declárelo con true).",
        "A parent must live in your household (declare it with true).",
    ),
    "field.parent_must_economically_dependent": (
        "Padre o madre debe depender económicamente de usted (declárelo con true).",
        "A parent must depend on you economically (declare it with true).",
    ),
    "field.custody_resolution_required": (
        "Indique la resolución judicial que le otorga la custodia.",
        "Give the court resolution that grants you custody.",
    ),
    "field.beneficiary_too_old": (
        "Con {age} años ya no puede ser beneficiario(a) con este parentesco (límite: {limit}).",
        "At {age} this person can no longer be a beneficiary with this relationship (limit: {limit}).",
    ),
    "field.beneficiary_too_young": (
        "Con este parentesco debe tener al menos {minimum} años.",
        "With this relationship the person must be at least {minimum}.",
    ),
    "field.beneficiary_is_member": (
        "Esta es su propia CURP; registre a su beneficiario con la suya.",
        "This is your own CURP; register your beneficiary with theirs.",
    ),
    "field.child_older_than_member": (
        "Según las CURP, su hijo(a) no es menor que usted; revise la CURP.",
        "According to the CURPs your child is not younger than you; check the CURP.",
    ),
    "field.parent_younger_than_member": (
        "Según las CURP, su padre o madre no es mayor que usted; revise la CURP.",
        "According to the CURPs your parent is not older than you; check the CURP.",
    ),
    "field.period_not_offered": ("Los periodos son de 1, 2, 3, 6 o 12 meses.", "Periods are 1, 2, 3, 6 or 12 months."),
    "field.month_before_tables": (
        "El primer mes que se puede cotizar es {first}.",
        "The earliest month that can be quoted is {first}.",
    ),
    "field.month_too_far": ("Se puede cotizar a lo sumo hasta diciembre de {last}.", "Quotes reach at most December {last}."),
    # How to pay, by channel.
    "pay.spei": (
        "Transfiera por SPEI a la CLABE {clabe} ({bank}), beneficiario {beneficiary}, con su NSS {nss} como referencia "
        "y el importe exacto.",
        "Send a SPEI transfer to CLABE {clabe} ({bank}), beneficiary {beneficiary}, with your NSS {nss} as the "
        "reference and the exact amount.",
    ),
    "pay.spei_reference": (
        "Transfiera por SPEI a la CLABE {clabe} ({bank}), beneficiario {beneficiary}, con su línea de captura "
        "{reference} como referencia y el importe exacto.",
        "Send a SPEI transfer to CLABE {clabe} ({bank}), beneficiary {beneficiary}, with your payment reference "
        "{reference} as the reference and the exact amount.",
    ),
    "pay.finabien": (
        "En la app de Finabien, pague al IMSS con la línea de captura {reference}.",
        "In the Finabien app, pay IMSS with payment reference {reference}.",
    ),
    "pay.bank_window": (
        "En ventanilla bancaria, pague al IMSS con la línea de captura {reference} y el importe exacto.",
        "At a bank window, pay IMSS with payment reference {reference} and the exact amount.",
    ),
    "pay.no_reference": (
        "Primero genere su línea de captura (POST /v1/me/payment-references).",
        "First generate your payment reference (POST /v1/me/payment-references).",
    ),
    # What a member must do next, by status.
    "next.pay_first_period": (
        "Genere su línea de captura y pague a más tardar el día {day} para activar su cobertura.",
        "Generate your payment reference and pay by day {day} of the month to activate your coverage.",
    ),
    "next.keep_paying": (
        "Su cobertura está activa; pague cada mes a más tardar el día {day} para mantenerla.",
        "Your coverage is active; pay by day {day} of each month to keep it.",
    ),
    "next.pay_to_reactivate": (
        "Su cobertura venció; pague el siguiente periodo para reactivarla.",
        "Your coverage lapsed; pay the next period to reactivate it.",
    ),
    "next.register_umf": (
        "Con su cobertura vigente, regístrese en su Unidad de Medicina Familiar (UMF) con su NSS y CURP.",
        "With your coverage in force, register at your Family Medicine Unit (UMF) with your NSS and CURP.",
    ),
    "next.register_beneficiaries_umf": (
        "Registre también a sus beneficiarios en la UMF que les corresponda por su domicilio en México.",
        "Also register your beneficiaries at the UMF for their address in Mexico.",
    ),
    "next.contact_imss": (
        "Su registro está cancelado; comuníquese con el IMSS.",
        "Your registration is cancelled; contact IMSS.",
    ),
}


def negotiate(accept_language: str | None) -> Language:
    """Pick `en` only when the caller ranks English above Spanish; Spanish otherwise (RFC 9110 §12.5.4 q-values)."""
    best: tuple[float, Language] = (0.0, DEFAULT_LANGUAGE)
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("es", "en"):
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        # Strictly greater: on a tie the tag listed first wins, as clients list their preference order.
        if quality > best[0]:
            best = (quality, primary)  # type: ignore[assignment]
    return best[1]


def text(key: str, language: Language, **params: Any) -> str:
    """Render a catalogue entry; unknown keys fall back to the generic field message."""
    spanish, english = _TEXT.get(key) or _TEXT["field.invalid"]
    template = english if language == "en" else spanish
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template

