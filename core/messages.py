"""What the customer is told when a ticket is handed to a person, per reason and language.

Templates exist for English, Spanish, French, German and Portuguese; any other
language gets English. Outside business hours (``routing.business_hours``) the
message says so honestly instead of promising a quick reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.hours import describe, is_open
from core.models import Reason
from core.policy import for_primary
from core.settings import BusinessHours

ON_IT = {
    "en": "They'll reply here as soon as possible.",
    "es": "Te responderán aquí lo antes posible.",
    "fr": "Ils vous répondront ici dès que possible.",
    "de": "Sie antworten hier so schnell wie möglich.",
    "pt": "Eles responderão aqui o mais rápido possível.",
}
OFF_HOURS = {
    "en": "Our team is offline right now ({hours}); they'll reply here when they're back.",
    "es": "Nuestro equipo no está disponible ahora ({hours}); te responderá aquí cuando vuelva.",
    "fr": "Notre équipe est absente pour le moment ({hours}) ; elle vous répondra ici à son "
          "retour.",
    "de": "Unser Team ist gerade nicht erreichbar ({hours}); es antwortet hier, sobald es "
          "zurück ist.",
    "pt": "Nossa equipe está fora do horário agora ({hours}); responderá aqui quando voltar.",
}
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "human_request": "Of course \u2014 I'm connecting you with a member of our team.",
        "high_risk:refund": "I've passed your refund request to our team so they can review it.",
        "high_risk:billing": "I've passed this to our team so they can check the charges on your "
                             "order. Please don't share full card numbers in this conversation.",
        "high_risk:security": "I've passed this to our team as a priority so they can secure "
                              "your account. Please don't share your password with anyone, "
                              "including us.",
        "high_risk:cancellation": "I've passed your cancellation request to our team so they "
                                  "can take care of it.",
        "high_risk:account": "I've passed your account request to our team so they can handle "
                             "it safely.",
        "high_risk:complaint": "I'm sorry about this. I've passed your complaint to our team so "
                               "a person can look into it.",
        "high_risk": "This needs a member of our team, so I've passed it on with your details.",
        "loop": "I'm sorry my answers haven't helped. I've passed this to a member of our team.",
        "": "Thanks for your message. I want to make sure you get the right answer, so I've "
            "passed it to a member of our team.",
    },
    "es": {
        "human_request": "Por supuesto, te pongo en contacto con una persona de nuestro equipo.",
        "high_risk:refund": "He pasado tu solicitud de reembolso a nuestro equipo para que la "
                            "revise.",
        "high_risk": "Esto necesita a una persona de nuestro equipo, así que se lo he pasado con "
                     "tus datos.",
        "loop": "Siento que mis respuestas no te hayan ayudado. Se lo he pasado a una persona de "
                "nuestro equipo.",
        "": "Gracias por tu mensaje. Para que recibas la respuesta correcta, se lo he pasado a "
            "una persona de nuestro equipo.",
    },
    "fr": {
        "human_request": "Bien sûr, je vous mets en relation avec un membre de notre équipe.",
        "high_risk:refund": "J'ai transmis votre demande de remboursement à notre équipe.",
        "high_risk": "Cette demande nécessite un membre de notre équipe ; je la lui ai transmise "
                     "avec vos informations.",
        "loop": "Désolé que mes réponses ne vous aient pas aidé. J'ai transmis votre demande à "
                "notre équipe.",
        "": "Merci pour votre message. Pour vous donner la bonne réponse, je l'ai transmis à un "
            "membre de notre équipe.",
    },
    "de": {
        "human_request": "Natürlich, ich verbinde Sie mit einem Mitglied unseres Teams.",
        "high_risk:refund": "Ich habe Ihre Erstattungsanfrage zur Prüfung an unser Team "
                            "weitergegeben.",
        "high_risk": "Dafür braucht es einen Menschen aus unserem Team; ich habe Ihr Anliegen "
                     "mit Ihren Angaben weitergegeben.",
        "loop": "Es tut mir leid, dass meine Antworten nicht geholfen haben. Ich habe Ihr "
                "Anliegen an unser Team weitergegeben.",
        "": "Danke für Ihre Nachricht. Damit Sie die richtige Antwort bekommen, habe ich sie an "
            "unser Team weitergegeben.",
    },
    "pt": {
        "human_request": "Claro, estou encaminhando você para uma pessoa da nossa equipe.",
        "high_risk:refund": "Encaminhei seu pedido de reembolso para a nossa equipe analisar.",
        "high_risk": "Isso precisa de uma pessoa da nossa equipe, então encaminhei com os seus "
                     "dados.",
        "loop": "Sinto muito que minhas respostas não ajudaram. Encaminhei para uma pessoa da "
                "nossa equipe.",
        "": "Obrigado pela mensagem. Para você receber a resposta certa, encaminhei para uma "
            "pessoa da nossa equipe.",
    },
}


def customer_message(
    reasons: Sequence[Reason], language: str = "en", after_hours: str | None = None
) -> str:
    """The message for the primary reason in `language` (else English), then when to
    expect a reply: soon, or honestly after `after_hours` (the hours, when closed)."""
    code = language if language in TEMPLATES else "en"
    table = TEMPLATES[code]
    body = for_primary(table, reasons, table[""])
    tail = OFF_HOURS[code].format(hours=after_hours) if after_hours else ON_IT[code]
    return f"{body} {tail}"


def closed(hours: BusinessHours | None, when: datetime | None) -> str | None:
    """The opening hours as text when `when` falls outside them, else None."""
    if hours is None or when is None or is_open(hours, when):
        return None
    return describe(hours)
