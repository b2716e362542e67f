"""Default word lists: trigger phrases, negation cues, stop words and sentiment words.

The trigger lists are the defaults of `core.settings.TriggerSettings`; the YAML
file may replace any one list. Patterns are Python regular expressions matched
case-insensitively and per line (``re.IGNORECASE | re.MULTILINE``) against text
whose typographic apostrophes were straightened. The lists here are English, Spanish,
French, German and Portuguese; every shipped language's own phrases
(`core.phrasebook`, ``core/lang/<code>.yaml``) follow them.
"""

from __future__ import annotations

from core.phrasebook import all_high_risk, all_triggers

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
    rf"\b(?:get|give|put|connect|transfer)\s+(?:me\s+)?(?:(?:to|with|(?:through|thru)\s+to)\s+)?"
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
    *all_triggers("human_request"),
)

_CLOSE = r"(?:clos(?:e|es|ed|ing|ure)|delet(?:e|es|ed|ing|ion)|terminat(?:e|es|ed|ing|ion)" \
    r"|remov(?:e|es|ed|ing|al)|cancel(?:l?ed|l?ing|lations?|s)?|get\s+rid\s+of)"

_HIGH_RISK: dict[str, tuple[str, ...]] = {
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
HIGH_RISK: dict[str, tuple[str, ...]] = {
    topic: (*patterns, *all_high_risk().get(topic, ())) for topic, patterns in _HIGH_RISK.items()
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
    + "".join(f"|\\b(?:{cue})\\b" for cue in all_triggers("negation"))
)
# Cues right after a request that negate it (Japanese, Turkish, Polish put them there).
NEGATION_AFTER = "|".join(f"(?:{cue})" for cue in all_triggers("negation_after")) or r"(?!)"
# Cues anywhere earlier in the clause that negate a request ("no hace falta que...").
NEGATION_CLAUSE = "|".join(
    f"\\b(?:{cue})\\b" for cue in all_triggers("negation_clause")) or r"(?!)"
# Cues of a preference ("rather than", "instead of").
CONTRAST_CUE = "|".join(
    f"\\b(?:{cue})\\b" for cue in all_triggers("negation_contrast")) or r"(?!)"
# Such a cue negates a request following it within two words of the same clause; further
# off, it is about something else ("instead of the bot, I want a person").
NEGATION_CONTRAST = f"(?:{CONTRAST_CUE})(?:\\s+\\w+){{0,2}}\\s*$"
# A clause ends at punctuation or a contrasting conjunction.
# (Japanese full stop, exclamation and question marks and comma included.)
CLAUSE_BREAK = (r"[.!?;,:\n\u3002\uff01\uff1f\u3001]"
                r"|\b(?:but|however|pero|sino|mais|aber|sondern|porém)\b")
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

# Frustration cues (see `core.frustration`): waiting, repeating oneself, things
# that keep failing, exasperation and sarcasm. Case-insensitive; each distinct
# cue that matches adds to the score.
FRUSTRATION_CUES: tuple[str, ...] = (
    r"\bstill\s+(?:waiting|no|not|nothing|haven'?t|hasn'?t|don'?t|doesn'?t|can'?t|stuck|on\s+hold)\b",
    r"\b(?:been\s+)?waiting\s+(?:for\s+)?(?:over\s+|more\s+than\s+)?(?:\d+|an?|two|three|several"
    r"|hours|days|weeks|forever|ages)\b",
    r"\bon\s+hold\b|\bhold\s+(?:time|for)\b",
    r"\b(?:second|third|fourth|fifth|2nd|3rd|4th|5th|another|umpteenth)\s+time\b",
    r"\b(?:again|yet\s+again|once\s+more)\s*[!?.]|\bhow\s+many\s+times\b|\bevery\s+(?:single\s+)?time\b",
    r"\b(?:already|keep|kept)\s+(?:told|sent|asked|explained|calling|called|writing|getting|emailed)\b",
    r"\b(?:no|zero)\s+(?:one|response|reply|answer|help|update|updates|info|information|call"
    r"|email|communication|explanation|compensation)\b|\bnobody\b|\bno\s+way\b",
    r"\bnever\s+(?:arrived|received|got|came|heard|again|answered|responded|showed|flying|fly"
    r"|use|buy|order)\b",
    r"\b(?:delay(?:ed|s)?|cancel+ed|lost|stuck|stranded|missed|broken|damaged|late|overbooked"
    r"|misplaced|mishandled)\b",
    r"\b(?:does\s*n[o']?t|did\s*n[o']?t|won'?t|can'?t|cannot|could\s*n[o']?t|unable\s+to)\s+"
    r"(?:work|help|get|find|answer|respond|reach|call|even|load|log|believe|understand)\b",
    r"\b(?:unacceptable|ridiculous|terrible|horrible|worst|awful|useless|pathetic|joke"
    r"|disgrace(?:ful)?|incompetent?|rude|fail(?:ed|ure|s)?|sucks?|hate|nightmare|furious"
    r"|angry|annoyed|fed\s+up|sick\s+of|tired\s+of|disappoint\w*|frustrat\w*|shameful"
    r"|scam|lied|liars?|wtf|smh|ugh|seriously|really\?)",
    r"[!?]{2,}",
    r"\b(?:thanks|thank\s+you)\s+(?:for\s+)?(?:nothing|not|never|ruining|losing|wasting"
    r"|leaving|making\s+me|the\s+(?:delay|wait))\b",
    r"\b(?:great|nice|awesome|wonderful|amazing|brilliant|love\s+(?:how|that|it\s+when)|gotta\s+love"
    r"|props\s+to)\b[^.!?]{0,40}\b(?:delay|wait|hold|cancel\w*|lost|late|again|hours|service)",
    r"\b(?:hours|days|weeks)\s+(?:late|later|delay(?:ed)?|on\s+hold|waiting|and\s+(?:still|no))\b",
    r"\bwhere\s+is\s+my\b|\bwhat\s+is\s+going\s+on\b|\bwhy\s+(?:is|are|does|did|do|can'?t|won'?t)\b",
    r"\bsupposed\s+to\b|\bhow\s+come\b|\bwhy\s+would\b|\byea(?:h)?\s+right\b|\boh\s+wait\b",
    r"\b(?:not|stopped|isn'?t|aren'?t)\s+working\b|\bhung\s+up\b|\btried\s+(?:\w+\s+){0,3}times\b",
    r"\blong\s+(?:wait|waits|line|lines|queue|hold)\b|\bonly\s+(?:one|1)\s+(?:person|agent|employee"
    r"|rep|desk)\b",
    r"\b(?:forgot|forgotten|irritat\w*|yell(?:ed|ing)|patroniz\w*|robbed|stolen|theft|owe\s+me"
    r"|compensat\w*|lie|lying|misleading|deceptive|excuses?)\b",
    r"\b(?:can|could|will)\s+(?:anyone|someone|somebody)\b|\b(?:any|an)\s+update\b",
    r"[\U0001F620\U0001F621\U0001F624\U0001F612\U0001F644\U0001F629\U0001F62B\U0001F44E"
    r"\U0001F92C\U0001F611\U0001F61E\U0001F61F\U0001F614\U0001F622\U0001F62D]",
    r"#\w*(?:fail|fixit|gettogether|getittogether|nothappy|badservice|neveragain|disappointed)\w*",
    # Spanish, French, German, Portuguese
    r"\b(?:sigo\s+esperando|todav[ií]a\s+no|otra\s+vez|harto|inaceptable|vergüenza|p[ée]simo)\b",
    r"\b(?:toujours\s+pas|j'attends|encore\s+une\s+fois|inadmissible|inacceptable|ras\s+le\s+bol)\b",
    r"\b(?:immer\s+noch|warte\s+seit|schon\s+wieder|unverschämt|frechheit|unmöglich)\b",
    r"\b(?:ainda\s+n[ãa]o|estou\s+esperando|de\s+novo|absurdo|p[ée]ssimo|vergonha)\b",
)

# Weak complaint markers: alone they mean little ("I do not know how"), but two or
# more together (a negation and a time span, "why" and "still") usually mean trouble.
WEAK_FRUSTRATION_CUES: tuple[str, ...] = (
    r"\b(?:not|no|never|won'?t|nothing|nobody|nunca|nada|jamais|rien|nie|nichts|nunca)\b",
    r"\b(?:hours?|days?|weeks?|minutes?|horas?|d[ií]as|heures?|jours|stunden|tage|semanas)\b",
    r"\b(?:why|por\s*qu[ée]|pourquoi|warum|por\s+que)\b",
    r"\bstill\b|\bagain\b|\bwait\w*|\btodav[ií]a\b|\bencore\b|\bnoch\b|\bainda\b",
)

# Short messages the semantic part compares against; written for this project,
# not taken from any data set.
FRUSTRATED_EXAMPLES: tuple[str, ...] = (
    "I have been waiting for weeks and still nothing",
    "This is the third time I am writing to you about this",
    "Your service is terrible and nobody helps me",
    "I am so fed up with this company",
    "Nobody answers the phone, I have been on hold for hours",
    "My order is late again and no one tells me anything",
    "Thanks for nothing, you ruined my week",
    "This is ridiculous, I want this fixed now",
    "You lost my package and you don't even care",
    "I keep getting the same useless answer",
    "Worst customer experience ever",
    "Why does this keep happening to me?",
    "My package never arrived and I can't get a straight answer",
    "The app keeps crashing and I can't log in",
    "I was charged but never got my order",
    "Your website is broken, I tried a dozen times",
    "The agent was rude and hung up on me",
    "Nobody replied to my email for a week",
    "You promised a call back and nobody called",
    "The item came damaged and the box was open",
    "I'm really disappointed with how this was handled",
    "Still no update on my complaint",
    "What a mess, nothing works today",
    "Can someone actually help me instead of sending links?",
    "I had to explain everything again to a new person",
    "The delivery was late and the driver didn't even knock",
    "Very poor communication from your side",
    "So now I have to pay for your mistake?",
    "I missed my appointment because of your delay",
    "The replacement is wrong too",
)
CALM_EXAMPLES: tuple[str, ...] = (
    "Thank you so much, that was very helpful",
    "How do I change my delivery address?",
    "Great service, the package arrived early",
    "Can you tell me your opening hours?",
    "I would like to know more about your products",
    "Everything worked fine, thanks for the quick reply",
    "Is there a discount for students?",
    "Please send me the invoice for my last order",
    "Love the new app, it is really easy to use",
    "Just checking if you ship to Canada",
    "Do you have this jacket in a larger size?",
    "Can I change the colour before it ships?",
    "What time does the store open on Sunday?",
    "Thanks, the refund arrived this morning",
    "The support team was friendly and fast",
    "How do I add a second user to my account?",
    "Is the sale still on next week?",
    "I'd like to book a delivery slot for Friday",
    "Got it, that solved my problem, cheers",
    "Where can I find the user manual?",
    "Can I pay with a gift card?",
    "Happy with my purchase, will order again",
    "Could you confirm my new email address is saved?",
    "Looking forward to the new collection",
)
