"""Default word lists: trigger phrases, negation cues, stop words and sentiment words.

The trigger lists are the defaults of `core.settings.TriggerSettings`; the YAML
file may replace any one list. Patterns are Python regular expressions matched
case-insensitively and per line (``re.IGNORECASE | re.MULTILINE``) against text
whose typographic apostrophes were straightened. Languages: English, Spanish,
French, German and Portuguese.
"""

from __future__ import annotations

_WHO_EN = (
    r"(?:some\s?one|some\s?body|human|person|people|agent|assistant|representative|rep|operator"
    r"|manager|supervisor|staff|support team)"
)
_ROLE_EN = r"(?:human|person|agent|assistant|representative|operator|manager|supervisor)"
# Words people put between the article and the person ("a real person", "a damn agent").
_FILLER_EN = r"(?:(?:real|actual|live|human|proper|damn|goddamn|bloody|freaking|fucking)\s+)?"

HUMAN_REQUEST: tuple[str, ...] = (
    # English
    rf"\b(?:talk|speak|chat|contact|reach)(?:ing|ting)?\s+(?:(?:to|with)\s+)?"
    rf"(?:a\s+|an\s+|your\s+|the\s+)?{_FILLER_EN}{_WHO_EN}\b",
    r"\b(?:real|actual|live)\s+(?:human|person|people|agent)\b",
    r"\bhuman\s+(?:being|please|pls|plz|agent|support|help)\b",
    rf"\b(?:get|give|put|connect|transfer)\s+(?:me\s+)?(?:(?:to|with|through\s+to)\s+)?"
    rf"(?:me\s+)?(?:(?:a|an)\s+{_FILLER_EN}{_ROLE_EN}|someone|somebody)\b",
    rf"\b(?:need|want|request|prefer)\s+(?:a|an)\s+{_FILLER_EN}{_ROLE_EN}\b",
    r"\b(?:agent|operator|representative|human|person)\s*,?\s*(?:please|pls|plz|now)\b",
    r"^\W*(?:operator|agent|human|representative)\W*$",
    r"\b(?:no|not|stop|don't want|do not want|enough with|tired of)\b[^.!?\n]{0,20}?"
    r"\b(?:bot|bots|robot|chatbot|machine|automated (?:reply|replies|answers?|responses?)|ai)\b",
    r"\bescalate\s+(?:this|my|it|the)\b",
    rf"\b(?:re)?direct\s+(?:me\s+)?(?:to\s+)?(?:me\s+)?(?:a\s+|an\s+)?{_FILLER_EN}{_WHO_EN}\b",
    r"\b(?:is|are)\s+there\s+(?:a|an|any)\s+(?:human|person|people|agent)\b",
    # Spanish
    r"\bhablar\s+con\s+(?:un|una|el|la|algún|alguna)?\s*(?:humano|humana|persona|agente|asesora?"
    r"|representante|operadora?|supervisora?|gerente|encargado|alguien)\b",
    r"\b(?:persona|agente|humano)\s+real\b",
    r"\b(?:quiero|necesito|pásame|páseme|pasame|paseme|comuníqueme|comunicarme)\s+(?:con\s+)?"
    r"(?:un|una)\s+(?:humano|persona|agente|asesora?|operadora?|representante)\b",
    # French
    r"\bparler\s+(?:à|a|avec)\s+(?:un|une|le|la)?\s*(?:vraie?\s+)?(?:humain|personne|conseiller"
    r"|conseillère|agent|opérateur|opératrice|responsable|quelqu'un)",
    r"\b(?:vraie?\s+personne|vrai\s+humain|être\s+humain|personne\s+réelle)\b",
    # German
    r"\bmit\s+(?:einem|einer|jemandem)\s*(?:echten\s+)?(?:menschen|mitarbeiter(?:in)?"
    r"|berater(?:in)?|person|vorgesetzten|kundenberater(?:in)?)?\b[^.!?\n]{0,20}?"
    r"\b(?:sprechen|reden|verbinden|telefonieren)\b",
    r"\b(?:echten?|realen?)\s+(?:menschen|person|mitarbeiter(?:in)?)\b",
    r"\b(?:verbinden\s+sie\s+mich|ich\s+(?:möchte|will|brauche))\s+(?:mit\s+)?(?:einem|einer|einen)"
    r"\s+(?:menschen|mitarbeiter(?:in)?|berater(?:in)?)\b",
    # Portuguese
    r"\bfalar\s+com\s+(?:um|uma|o|a|algum|alguma)?\s*(?:humano|pessoa|atendente|agente"
    r"|representante|gerente|supervisora?|alguém)(?!\w)",
    r"\b(?:pessoa|atendente)\s+(?:real|humano|humana)\b",
    r"\b(?:quero|preciso\s+de)\s+(?:um|uma)\s+(?:atendente|humano|pessoa|agente)\b",
)

_CLOSE = r"(?:clos(?:e|es|ed|ing|ure)|delet(?:e|es|ed|ing|ion)|terminat(?:e|es|ed|ing|ion)" \
    r"|remov(?:e|es|ed|ing|al)|cancel(?:l?ed|l?ing|lations?|s)?|get\s+rid\s+of)"

HIGH_RISK: dict[str, tuple[str, ...]] = {
    "account": (
        rf"\b{_CLOSE}\b[^.!?\n]{{0,30}}?\b(?:account|profile)s?\b",
        rf"\b(?:account|profile)s?\b[^.!?\n]{{0,40}}?\b{_CLOSE}\b",
        r"\b(?:eliminar|borrar|cerrar|dar\s+de\s+baja)\s+(?:mi\s+|la\s+)?cuenta\b",
        r"\b(?:supprimer|fermer|clôturer)\s+(?:mon|le)\s+compte\b",
        r"\bkonto\s+(?:löschen|schließen|kündigen)\b",
        r"\b(?:excluir|apagar|encerrar)\s+(?:a\s+|minha\s+)?conta\b",
    ),
    "complaint": (
        r"\bcomplain(?:t|ts|ing|ed|s)?\b",
        r"\breclamation\b|\b(?:consumer|customer)\s+claims?\b|\bclaims?\s+against\b",
        r"\b(?:file|filing|make|making|lodge|lodging|open|opening)\s+(?:a\s+|an\s+)?claims?\b",
        r"\bqueja\b|\breclamaci[oó]n\b|\breclamo\b",
        r"\bplainte\b|\bréclamation\b",
        r"\bbeschwerde\b|\breklamation\b",
        r"\breclamação\b|\bqueixa\b",
    ),
    "refund": (
        r"\brefund(?:s|ed|ing)?\b",
        r"\bmoney\s+back\b",
        r"\breimburs\w*",
        r"\bcompensation(?:s)?\b|\brebates?\b",
        r"\breembols(?:o|ar|en)\b",
        r"\bdevol(?:ver|verme|verán)\s+(?:el|mi)\s+dinero\b",
        r"\bremboursement\b|\brembourse[rz]?\b",
        r"\b(?:rück)?erstattung\b|\bgeld\s+zurück\b",
        r"\bestorno\b|\bdinheiro\s+de\s+volta\b",
    ),
    "billing": (
        r"\b(?:charged|billed)\s+(?:me\s+)?(?:twice|double|two\s+times|again|wrong(?:ly)?"
        r"|incorrectly|too\s+much)\b",
        r"\bdouble[-\s]?(?:charged|billed|charge)\b",
        r"\bover(?:charged|billed|charge)\b",
        r"\bunauthori[sz]ed\s+(?:charge|payment|transaction|debit)s?\b",
        r"\bwrong\s+(?:amount|charge|price\s+charged)\b",
        r"\bcharge\s*back\b|\bdisput(?:e|ed|ing)\b",
        r"\bbilling\s+(?:error|issue|problem|mistake|dispute)\b",
        r"\bpayments?\s+(?:issues?|problems?|errors?|troubles?|fail(?:ed|s|ure)?|declined"
        r"|(?:did|does|do)\s*n[o']?t\s+(?:go|work)|bounced)\b",
        r"\b(?:issues?|problems?|troubles?|errors?)\s+(?:with|on|in|about)\s+(?:my\s+|the\s+|a\s+)?"
        r"payments?\b",
        r"\bquestions?\s+about\s+(?:my|a|the)\s+payments?\b",
        r"\b(?:can(?:'t|not)|could\s*n[o']?t|unable\s+to|(?:do|did)\s*n[o']?t\s+want\s+to)\s+"
        r"pay\b",
        r"\bcobr(?:o|aron|ado)\s+(?:dos\s+veces|doble|de\s+más|duplicado|indebido)\b",
        r"\bdouble\s+(?:débit|prélèvement|facturation)\b|\bfactur(?:é|e)\s+deux\s+fois\b",
        r"\bdoppelt\s+(?:abgebucht|berechnet|belastet)\b",
        r"\bcobra(?:do|ram|nça)\s+(?:duas\s+vezes|duplicad[ao]|indevid[ao])\b",
    ),
    "legal": (
        r"\blawyer\b|\battorney\b|\bsolicitor\b",
        r"\blegal\s+action\b|\blaw\s*suit\b|\bsu(?:e|ing)\s+(?:you|your|northwind)\b",
        r"\bsmall\s+claims\b|\bcourt\b|\bsubpoena\b",
        r"\bgdpr\b|\bdata\s+protection\b|\bconsumer\s+protection\b|\btrading\s+standards\b",
        r"\babogad[oa]\b|\bdenuncia\b|\bacci[oó]n\s+legal\b",
        r"\bavocat\b|\bpoursuites?\b|\btribunal\b",
        r"\b(?:rechts)?anwalt\b|\bklage\b|\bverbraucherzentrale\b",
        r"\badvogad[oa]\b|\bprocesso\s+judicial\b|\bprocon\b",
    ),
    "security": (
        r"\bhack(?:ed|er|ers|ing)?\b",
        r"\bcompromised\b|\bphishing\b|\bidentity\s+theft\b|\bdata\s+breach\b",
        r"\bsomeone\s+(?:else\s+)?(?:logged|signed|got)\s+in(?:to)?\b",
        r"\bunauthori[sz]ed\s+(?:access|log\s*-?in|sign\s*-?in|orders?)\b",
        r"\bsuspicious\s+(?:login|log-in|sign-in|activity|email|e-mail)s?\b",
        r"\bstolen\s+(?:card|account|identity|password|credit\s+card)\b|\bfraud(?:ulent)?\b",
        r"\bhacke(?:ad[oa]|ado)\b|\bcuenta\s+robada\b|\bsuplantaci[oó]n\b",
        r"\bpirat(?:é|e)e?\b|\bcompte\s+vol(?:é|e)\b",
        r"\bgehackt\b|\bkonto\s+gestohlen\b",
        r"\bconta\s+(?:invadida|roubada)\b",
    ),
    "cancellation": (
        r"\bcancel(?:l?ed|l?ing|lation|s)?\b",
        r"\b(?:clos(?:e|es|ed|ing|ure)|terminat(?:e|es|ed|ing|ion))\b[^.!?\n]{0,30}?"
        r"\b(?:subscription|membership)s?\b",
        r"\bcancelar\b|\bcancelaci[oó]n\b|\bcancelamento\b",
        r"\bannul(?:er|ation|ez)\b|\br(?:é|e)silier\b",
        r"\bstornieren\b|\bstornierung\b|\bkündigen\b|\bkündigung\b",
    ),
}

# A high-risk phrase whose sentence also matches one of these is a question about
# the rules, not the risky act itself ("what is your refund policy", "how much is
# the cancellation fee", "cancel the newsletter").
HIGH_RISK_EXCEPT: dict[str, tuple[str, ...]] = {
    "refund": (
        r"\b(?:refund|money[-\s]?back|return|reimbursement)\s+polic(?:y|ies)\b",
        r"\bin\s+(?:what|which)\s+(?:cases?|circumstances|situations)\b",
        r"\b(?:conditions|eligib\w+)\s+(?:for|of)\s+(?:a\s+)?refunds?\b",
    ),
    "cancellation": (
        r"\bcancel\w*\s+(?:fees?|charges?|penalt(?:y|ies)|costs?)\b",
        r"\b(?:early\s+(?:exit|termination))\b",
        r"\bnews\s?letters?\b|\bmailing\s+list\b|\bunsubscrib\w*|\bmarketing\s+e-?mails?\b",
    ),
}

# Cues that, just before a human-request phrase in the same clause, negate it.
# "no" before a pronoun is an interjection ("No I need a person"), not a negation.
NEGATION_CUE = (
    r"\b(?:not|never|no(?!\s+(?:i|i'm|we|you)\b)|don't|dont|do\s+not|does\s+not|doesn't"
    r"|didn't|won't|without|nor|nunca|sin|tampoco|pas|jamais|sans|ne|nicht|kein|keine|keinen"
    r"|nie|ohne|não|nao|sem)\b|\bn'"
)
# A clause ends at punctuation or a contrasting conjunction.
CLAUSE_BREAK = r"[.!?;,:\n]|\b(?:but|however|pero|sino|mais|aber|sondern|porém)\b"
# A question ("why can't I talk to a person", "I don't know how to reach an agent")
# asks for the thing rather than refusing it.
QUESTION_CUE = (
    r"\b(?:why|porque|pourquoi|warum|por\s+que)\b"
    r"|\b(?:know|understand|sure|tell\s+me|see)\s+(?:how|what|where|who|if|whether)\b"
)

VIP_TAG = "vip"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS: frozenset[str] = _words(
    """
    a about above after again all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into
    is it its itself just me more most my myself of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours yourself
    yourselves hi hello hey dear thanks thank please pls regards cheers hope im ive id dont
    cant wont also still yet really would could need want know let like just one
    """
)

NEGATIVE_WORDS: frozenset[str] = _words(
    """
    angry annoyed annoying awful bad broken complain complaint disappointed disappointing
    disgusting dreadful fed frustrated frustrating furious hate horrible incompetent
    joke lied liar mad nightmare pathetic poor ridiculous rude scam shocking slow sucks
    terrible unacceptable unhappy upset useless waste worse worst wtf
    pésimo horrible enfadado enojado molesto inaceptable vergüenza decepcionado
    nul inadmissible inacceptable déçu énervé scandaleux
    schlecht enttäuscht unverschämt ärgerlich katastrophe frechheit
    péssimo horrível absurdo decepcionada decepcionado vergonha
    """
)

POSITIVE_WORDS: frozenset[str] = _words(
    """
    appreciate appreciated awesome brilliant excellent fantastic glad great happy helpful
    love lovely nice perfect pleased quick super thank thanks wonderful amazing
    gracias genial excelente perfecto encantado merci parfait génial
    danke toll prima wunderbar obrigado obrigada ótimo perfeito
    """
)

# Sentiment words are compared accent-folded, so each is listed once, with its accents.
# Words that flip the polarity of the sentiment word right after them.
SENTIMENT_NEGATORS: frozenset[str] = _words(
    "not no never isnt wasnt arent dont didnt doesnt nicht kein pas nao nunca jamais"
)
