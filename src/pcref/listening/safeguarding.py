"""The safeguarding screen: deterministic rules that put a comment in the urgent queue.

Every comment from the public form and the co-creation hub passes through :func:`screen`
before it is stored. A comment that matches any rule is *urgent*: moderators see it first,
and it is never published automatically. The screen is never the only gate; every comment
is read by a person before anything is public.

Why rules and not a model: a rule can be read, tested and explained to a safeguarding lead
("it was flagged because it says 'want to die'"), behaves the same on every run, and cannot
drift. The cost of the two kinds of error is lopsided — a false alarm costs a moderator a
minute, a miss can cost a life — so the rules are written to over-flag:

* Case, punctuation and spacing do not matter ("selfharm", "self-harm", "SELF HARM"), curly
  and straight apostrophes are the same, and common misspellings are in the patterns
  ("sucide", "suicde", "kil my self").
* **Negation never clears a flag.** "I'm not suicidal any more" is flagged: people often
  disclose risk this way, and a moderator can judge it in seconds.
* **Quotation never clears a flag.** Reported speech ("the nurse said 'go kill yourself'") is
  often exactly what needs safeguarding.
* Exceptions exist only where the words mean something else entirely and no reading of them
  discloses risk: "panic attack", "heart attack", "drug abuse" / "substance abuse", "suicide
  prevention", "kicked me out", "life-threatening". Each exception belongs to one rule and is
  listed in the table.
* Polish and Punjabi (the form's other languages) have core terms only, marked for community
  review; a comment in another language needs a reader before it counts as not urgent.
* Figurative use is **not** excepted when the words could be literal: "I was abused by the
  parking charges" is flagged, because "abused by" is how people disclose abuse. Idioms whose
  subject is a thing ("the food was killing me", "my back is killing me") match no rule;
  "they were trying to kill me" does.

The rule table is rendered into ``docs/listening.md`` by :func:`rules_markdown`; a test
keeps the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Categories, in the order moderators see them.
CATEGORIES = (
    "suicide",
    "self_harm",
    "abuse",
    "violence",
    "threats",
    "child_at_risk",
    "vulnerable_adult_at_risk",
)

#: Plain words for each category, for the moderation queue and the audit log.
CATEGORY_LABELS = {
    "suicide": "Suicide",
    "self_harm": "Self-harm",
    "abuse": "Abuse",
    "violence": "Violence",
    "threats": "Threats",
    "child_at_risk": "A child at risk",
    "vulnerable_adult_at_risk": "A vulnerable adult at risk",
}


def category_labels(categories: list[str]) -> list[str]:
    """``categories`` in :data:`CATEGORY_LABELS`' words (an unknown code as it is), for
    the feedback and hub moderation queues alike."""
    return [CATEGORY_LABELS.get(category, category) for category in categories]

# Building blocks. Patterns are matched case-insensitively on text whose curly quotes have
# been made straight; ``_`` between words means "a run of spaces or punctuation".
_ = r"[\W_]+"
_OPT = r"[\W_]*"  # spaces or punctuation, or none ("selfharm", "over dose")
_MYSELF = r"m[ey][\W_]*s(?:el|le|e)f"
_PERSON = (
    r"(?:me|him|her|them|us|you|my[\W_]+\w+|his[\W_]+\w+|a[\W_]+(?:patient|child|nurse|"
    r"resident|woman|man|boy|girl)|the[\W_]+(?:patient|nurse|doctor|staff|child|resident)|"
    r"someone|somebody|staff|everyone|people)"
)
_CHILD = (
    r"(?:child|children|childs|kids?|bab(?:y|ies)|toddlers?|infants?|sons?|daughters?|"
    r"grand(?:son|daughter|child|children|kids?)s?|step(?:son|daughter|child)s?|teen(?:ager)?s?|"
    r"boys?|girls?|schoolgirls?|schoolboys?|minors?|nephews?|nieces?|pupils?|little[\W_]+ones?|"
    r"young[\W_]+(?:person|people)|(?:1[0-7]|[1-9])[\W_]*(?:years?|yrs?|y/?o)(?:[\W_]*old)?)"
)
_CHILD_HARM = (
    r"(?:hurt(?:s|ing)?|harm(?:ed|ing)?|abus\w*|neglect\w*|unsafe|not[\W_]+safe|in[\W_]+danger|"
    r"at[\W_]+risk|left[\W_]+alone|home[\W_]+alone|alone[\W_]+at[\W_]+home|beat(?:s|en|ing)?|"
    r"starv\w*|bruis\w*|locked[\W_]+(?:in|up|out)|smack\w*|slap\w*|hit(?:s|ting)?|"
    r"kick(?:s|ed|ing)?|punch\w*|shak(?:en|ing)|touched|touching|sexual\w*|groom(?:ed|ing)|"
    r"exploit\w*|missing|r[au]n[\W_]*away|runaway)"
)
_NEAR = r"(?:[\W_]+\w+){0,6}?[\W_]+"


@dataclass(frozen=True)
class Rule:
    """One documented rule: a pattern for one category, with any exceptions it allows.

    ``unless_before`` is tested against the few words just before a match and
    ``unless_after`` against the words just after it; either matching clears *this* match
    only. ``examples`` are phrases the rule must flag (the tests use them).
    """

    rule_id: str
    category: str
    description: str
    pattern: str
    examples: tuple[str, ...]
    unless_before: str | None = None
    unless_after: str | None = None
    exception_note: str = ""
    compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"rule {self.rule_id}: unknown category {self.category!r}")
        object.__setattr__(self, "compiled", re.compile(self.pattern, re.IGNORECASE))


@dataclass(frozen=True)
class Match:
    """Where a rule matched: the words a moderator is shown highlighted."""

    category: str
    rule_id: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Screening:
    """The result of screening one comment. ``urgent`` when any category matched."""

    categories: tuple[str, ...]
    matches: tuple[Match, ...]

    @property
    def urgent(self) -> bool:
        return bool(self.categories)


RULES: tuple[Rule, ...] = (
    # --- suicide -------------------------------------------------------------------------
    Rule(
        "suicide-word",
        "suicide",
        "The word suicide in any form, including common misspellings",
        r"\bsu[ie]{0,2}[cs]{1,2}[iy]?d\w*",
        ("I feel suicidal", "thoughts of sucide", "was suicdal last week", "SUICIDE"),
        unless_after=r"^[\W_]+(?:prevention|awareness|training|policy|course|module)\b",
        exception_note="not when followed by prevention, awareness, training, policy, "
        "course or module (a service or subject, not a person's risk)",
    ),
    Rule(
        "suicide-kill-myself",
        "suicide",
        "Killing oneself",
        rf"\bkil{{1,2}}(?:s|ed|ing)?{_}{_MYSELF}",
        ("I want to kill myself", "going to kil my self", "thought about killing myself"),
    ),
    Rule(
        "suicide-end-life",
        "suicide",
        "Ending or taking one's life, ending it all, 'unalive'",
        rf"\b(?:end(?:s|ed|ing)?{_}(?:it{_}all|my{_}(?:own{_})?life|my{_}life|"
        rf"it{_}(?:now|tonight|today))|ending{_}it\b|(?:take|taking|took|taken){_}my{_}"
        rf"(?:own{_})?life|unaliv\w*|giv(?:e|ing){_}up{_}on{_}(?:life|living)|"
        rf"never{_}wake{_}up|not{_}wake{_}up{_}again)",
        (
            "I just want to end it all",
            "thinking of taking my own life",
            "want to unalive",
            "thinking of ending it",
            "go to sleep and never wake up",
        ),
    ),
    Rule(
        "suicide-want-to-die",
        "suicide",
        "Wanting to die or be dead, being better off dead, nobody missing one",
        rf"\b(?:(?:want|wanted|wanting|wanna|wish|wished)(?:{_}(?:to|2))?{_}die|"
        rf"wish(?:ed)?{_}i{_}(?:was|were|had|'d|d)(?:{_}(?:never{_}been{_}born|died|dead))|"
        rf"better{_}off{_}(?:dead|without{_}me)|ready{_}to{_}die|rather{_}(?:be{_}dead|die)|"
        rf"(?:nobody|no{_}one|noone){_}(?:would|will|'d|d)(?:{_}even)?{_}(?:miss{_}me|"
        rf"notice{_}if{_}i|care{_}if{_}i)|if{_}i{_}(?:was|were){_}(?:gone|dead)|if{_}i{_}died|"
        rf"thinking{_}(?:about|of){_}(?:dying|death|my{_}death))",
        (
            "i want to die",
            "wanna die",
            "I wish I was dead",
            "im better off dead",
            "nobody would miss me",
            "i keep thinking about dying",
        ),
    ),
    Rule(
        "suicide-no-reason-to-live",
        "suicide",
        "No reason to live, life not worth living, not wanting to live or be here any more",
        rf"\b(?:no{_}(?:reason|point){_}(?:to|in){_}(?:live|living|go(?:ing)?{_}on|"
        rf"carry(?:ing)?{_}on)|(?:life|living){_}(?:is{_})?(?:not|isn't|isnt|is{_}not)"
        rf"{_}worth|not{_}worth{_}living|(?:don't|dont|do{_}not|didn't|didnt|did{_}not)"
        rf"{_}want{_}to{_}(?:live|be{_}alive|wake{_}up|be{_}here{_}any{_OPT}more|"
        rf"exist))",
        ("there is no point in living", "life isn't worth it", "i dont want to live"),
    ),
    Rule(
        "suicide-cannot-go-on",
        "suicide",
        "Cannot go on, cannot take or cope with it any more",
        rf"\b(?:can't|cant|cannot|can{_}not|couldn't|couldnt){_}(?:go{_}on|carry{_}on|"
        rf"take{_}(?:it{_}|this{_})?any{_OPT}more|cope{_}any{_OPT}more)",
        ("I can't go on like this", "cant take it anymore", "I cannot cope any more"),
    ),
    Rule(
        "suicide-method",
        "suicide",
        "A method: hanging, jumping from a height or in front of a train",
        rf"\b(?:hang(?:ed|ing)?{_}{_MYSELF}|jump(?:ed|ing)?{_}(?:off|from){_}"
        rf"(?:a|the|that)?{_OPT}(?:bridge|building|roof|cliff|car{_}park)|"
        rf"in{_}front{_}of{_}(?:a|the){_}(?:train|bus|lorry|car))",
        ("I thought about hanging myself", "jump off the bridge", "step in front of a train"),
    ),
    # --- self-harm -----------------------------------------------------------------------
    Rule(
        "self-harm-word",
        "self_harm",
        "Self-harm in any spelling or spacing",
        r"\b(?:self|slef|sefl|sef)[\W_]*harm\w*",
        ("I self harm", "selfharming again", "Self-Harm", "slef harm"),
    ),
    Rule(
        "self-harm-hurt-myself",
        "self_harm",
        "Hurting, harming, cutting, burning, scratching, starving or punching oneself",
        rf"\b(?:hurt|harm|cut|burn|scratch|starv|punch|hit|ligature)\w*{_}{_MYSELF}",
        ("I want to hurt myself", "i cut my self", "started harming myself"),
    ),
    Rule(
        "self-harm-method",
        "self_harm",
        "Overdose, cutting wrists or arms, swallowing objects, ligatures, head banging",
        rf"\b(?:over{_OPT}dos\w*|(?-i:OD)(?:'?d|ed|s)?\b|"
        rf"(?:an|a|took|taken|after|another){_}od\b|cut(?:s|ting)?{_}(?:my|his|her){_}"
        rf"(?:wrists?|arms?|legs?|thighs?)|slit\w*{_}(?:my|his|her)?{_OPT}wrists?|"
        rf"swallow(?:ed|ing)?{_}(?:pills|tablets|batteries|blades|glass)|"
        rf"(?:took|take|taking){_}(?:too{_}many|all{_}(?:of{_})?my){_}(?:pills|tablets|meds)|"
        rf"ligatures?|head{_OPT}bang\w*|stockpil\w*|(?:been|started|start|keep|kept|still|"
        rf"back{_}to){_}cutting|cutting{_}again)",
        (
            "took an overdose",
            "I OD'd",
            "cutting my arms",
            "used a ligature",
            "ive been cutting again",
            "stockpiling my tablets",
        ),
    ),
    # --- abuse ---------------------------------------------------------------------------
    Rule(
        "abuse-word",
        "abuse",
        "Abuse, abused, abusive, abuser — including figurative uses such as 'abused by the "
        "parking charges', because 'abused by' is how people disclose abuse",
        r"\babus(?:e|ed|es|er|ers|ing|ive|ively)\b",
        ("I was abused by staff", "my partner is abusive", "racist abuse on the ward"),
        unless_before=r"\b(?:substance|drug|drugs|alcohol|solvent)[\W_]*$",
        exception_note="not substance, drug, drugs, alcohol or solvent abuse (misuse of a "
        "substance, not harm to a person)",
    ),
    Rule(
        "abuse-sexual",
        "abuse",
        "Rape, sexual assault or harassment, groping, molesting, indecent or unwanted touching",
        r"\b(?:rap(?:e|ed|es|ing|ist|ists)|sexual(?:ly)?[\W_]+(?:assault\w*|abus\w*|harass\w*|"
        r"touch\w*|advances|comments|inappropriate)|molest\w*|grop(?:e|ed|es|ing)|indecen\w*|"
        r"(?:inappropriate(?:ly)?|unwanted)[\W_]+touch\w*|touched[\W_]+(?:me|him|her|them)"
        r"[\W_]+(?:inappropriately|sexually|without))\b",
        ("he raped me", "sexually assaulted", "a man groped me", "touched me inappropriately"),
    ),
    Rule(
        "abuse-harassment",
        "abuse",
        "Harassment, stalking, bullying, coercive control, exploitation, grooming a person",
        rf"\b(?:harass\w*|stalk(?:s|ed|ing|er|ers)?\b|bull(?:y|ied|ies|ying)|"
        rf"coercive{_}control\w*|controlling{_}"
        rf"(?:partner|husband|wife|boyfriend|girlfriend)|exploit(?:ed|ing|ation)|"
        rf"groom(?:ed|ing){_}{_PERSON}|kil{{1,2}}{_}(?:your|ur){_OPT}sel(?:f|ves))",
        (
            "staff bullied me",
            "harassed by a patient",
            "my ex is stalking me",
            "he was grooming my niece",
            "she told me to kill yourself",
        ),
    ),
    Rule(
        "abuse-honour",
        "abuse",
        "Forced marriage, female genital mutilation, so-called honour-based abuse",
        rf"\b(?:forced{_}(?:marriage|to{_}marry|into{_}marriage)|fgm|female{_}genital"
        rf"{_}(?:mutilation|cutting)|honou?r{_}based)",
        ("they are arranging a forced marriage", "worried about FGM", "honour based violence"),
    ),
    # --- violence ------------------------------------------------------------------------
    Rule(
        "violence-word",
        "violence",
        "Violence, violent, assault, attack",
        r"\b(?:violen\w*|assault\w*|attack(?:s|ed|ing|er|ers)?)\b",
        ("he was violent", "I was assaulted", "another patient attacked me"),
        unless_before=r"\b(?:panic|heart|anxiety|asthma|seizure|epileptic|migraine)[\W_]*$",
        exception_note="not a panic, heart, anxiety, asthma, seizure, epileptic or migraine "
        "attack (an illness, not violence)",
    ),
    Rule(
        "violence-against-person",
        "violence",
        "Hitting, punching, kicking, slapping, beating, choking, strangling, stabbing, "
        "pushing, spitting at, pinning down, restraining or dragging a person; being hurt",
        rf"\b(?:(?:hit|hits|hitting|kick(?:s|ed|ing)?|beat(?:s|en|ing)?|chok(?:e|ed|es|ing)|"
        rf"shov(?:e|ed|ing)|dragg?(?:ed|ing)?|pinn?(?:ed|ing)?){_}{_PERSON}|"
        rf"(?:push|shov)(?:e|ed|es|ing)?(?:{_}{_PERSON})?{_}(?:over|down|against|into)\b|"
        rf"sp(?:at|it|its|itting){_}(?:at|on){_}{_PERSON}|restrain\w*|"
        rf"(?:being|been|was|were|get|gets|got|getting){_}(?:hurt|harmed|beaten|hit|kicked)\b|"
        rf"(?:punch|slap|strangl|smack)\w*|stab(?:s|bed|bing|ber|bers)?\b|beat(?:en)?{_}up|"
        rf"(?:manhandl|rough(?:ly)?{_}handl)\w*)",
        (
            "he hit me",
            "she punched a nurse",
            "got beaten up",
            "they pinned me down",
            "i was pushed down the stairs",
            "a patient spat at me",
            "i am being hurt at home",
            "staff restrained me",
        ),
        unless_after=r"^[\W_]+out\b",
        exception_note="not 'kicked me out' and the like (being sent away, not violence)",
    ),
    Rule(
        "violence-weapon",
        "violence",
        "Weapons: guns, a knife or blade carried or brandished",
        rf"\b(?:weapons?|guns?|firearms?|(?:pulled|had|has|carr(?:y|ies|ied|ying)|with|"
        rf"brandish\w*|wav(?:e|ed|ing)|holding|held){_}(?:a{_})?(?:knife|knives|blade|machete))\b",
        ("he had a knife", "carrying a weapon", "a gun"),
    ),
    # --- threats -------------------------------------------------------------------------
    Rule(
        "threats-word",
        "threats",
        "Threat, threaten, threatening",
        r"\bthreat\w*",
        ("he threatened me", "threatening behaviour", "made threats"),
        unless_before=r"\blife[\W_]*$",
        exception_note="not 'life-threatening' (how serious an illness is, not a threat)",
    ),
    Rule(
        "threats-intent",
        "threats",
        "Saying one will or wants to kill, hurt, stab, shoot or attack someone",
        rf"\b(?:i'?ll|i{_}will|i'?m{_}(?:going{_}to|gonna)|i{_}am{_}(?:going{_}to|gonna)|"
        rf"want{_}to|wanna|gonna|going{_}to|could|would|tried{_}to|trying{_}to|try{_}to)"
        rf"{_}(?:kil{{1,2}}|hurt|stab|shoot|attack|batter|strangle|murder|smash)"
        rf"{_}{_PERSON}",
        ("I'll kill him", "I am going to hurt someone", "they tried to kill me"),
    ),
    Rule(
        "threats-killing-person",
        "threats",
        "Someone killing, or going to kill, a person ('they are killing me', 'he will kill "
        "me'); idioms whose subject is a thing ('the food was killing me') do not match",
        rf"\b(?:he|she|they|staff|nurses?|doctors?|someone|somebody|people|patients?|"
        rf"man|woman|he's|she's|they're|theyre){_}(?:is{_}|are{_}|was{_}|were{_})?"
        rf"(?:killing|murdering){_}{_PERSON}|\bmurder\w*|"
        rf"\b(?:he|she|they|someone|somebody|he'll|she'll|they'll|hell|shell|theyll)"
        rf"(?:{_}(?:will|would|might|could|is{_}going{_}to|are{_}going{_}to|gonna|wants?{_}to|"
        rf"tried{_}to|trying{_}to))?{_}kil{{1,2}}{_}(?:me|us|him|her|them|my{_}\w+)",
        (
            "they are killing me",
            "the nurses were killing her",
            "murdered",
            "i am scared he will kill me",
        ),
    ),
    Rule(
        "threats-harm-place",
        "threats",
        "Burning or blowing up a place, a bomb, knowing where someone lives, "
        "'watch your back', 'you will pay'",
        rf"\b(?:burn(?:ing)?{_}(?:it|the{_}\w+|this{_}\w+|that{_}\w+){_}down|"
        rf"blow(?:ing)?{_}(?:it|the{_}\w+|this{_}\w+){_}up|bombs?|"
        rf"know{_}where{_}(?:you|he|she|they){_}lives?|watch{_}(?:your|his|her){_}back|"
        rf"(?:you|they|he|she)(?:'ll|{_}will|ll){_}(?:pay|regret|be{_}sorry))\b",
        ("I'll burn the ward down", "I know where you live", "you'll pay for this"),
    ),
    # --- a child at risk ------------------------------------------------------------------
    Rule(
        "child-protection",
        "child_at_risk",
        "Child protection, child abuse or neglect, underage sex, a shaken baby",
        rf"\b(?:child{_}protection|child{_}(?:abuse|neglect|sexual)\w*|under{_OPT}age{_}"
        rf"(?:sex|girl|boy|drinking)|shaken{_}baby)",
        ("child protection", "I think this is child abuse", "underage sex"),
    ),
    Rule(
        "child-near-harm",
        "child_at_risk",
        "A child (child, son, daughter, baby, teenager, a 14 year old, …) within six words of "
        "harm (hurt, hit, abused, neglected, unsafe, left alone, locked in, missing, …), in "
        "either order",
        rf"\b(?:{_CHILD}{_NEAR}{_CHILD_HARM}|{_CHILD_HARM}{_NEAR}{_CHILD})\b",
        (
            "my son is being hit at home",
            "the baby was left alone",
            "they hurt my daughter",
            "my 14 year old is not safe",
        ),
    ),
    # --- a vulnerable adult at risk ---------------------------------------------------------
    Rule(
        "adult-safeguarding",
        "vulnerable_adult_at_risk",
        "Safeguarding, neglect, being abandoned, unexplained bruises or injuries",
        rf"\b(?:safeguard\w*|neglect\w*|abandon(?:ed|ing)\b|bruis\w*|"
        rf"unexplained{_}(?:injur\w*|marks|cuts|burns))",
        ("this is a safeguarding concern", "mum was neglected", "bruises on her arms"),
    ),
    Rule(
        "adult-not-safe",
        "vulnerable_adult_at_risk",
        "A person not feeling safe, in danger, or afraid for their life or to go home",
        rf"\b(?:(?:don't|dont|do{_}not|doesn't|doesnt|does{_}not|didn't|didnt|did{_}not|never|"
        rf"no{_}longer){_}feel(?:s)?{_}safe|(?:feel|feels|felt|feeling|am|is|was|were|are|"
        rf"be|not){_}(?:unsafe|in{_}danger)|not{_}safe{_}(?:at|to|with|around|in)|"
        rf"(?:scared|afraid|frightened|terrified){_}(?:for{_}(?:my|his|her|their){_}"
        rf"(?:life|lives|safety)|to{_}go{_}home|"
        rf"of{_}(?:him|her|them|(?:my|his|her|their){_}\w+)))\b",
        (
            "I don't feel safe at home",
            "she is in danger",
            "afraid to go home",
            "scared of my husband",
        ),
    ),
    Rule(
        "adult-exploitation",
        "vulnerable_adult_at_risk",
        "Money or belongings taken, cuckooing, trafficking, modern slavery, forced labour",
        rf"\b(?:(?:stole|stolen|steal\w*|took|taking|taken|takes){_}(?:\w+{_}){{0,3}}?"
        rf"(?:money|pension|benefits|bank{_}cards?|savings|cash|belongings)|cuckoo\w*|"
        rf"traffick\w*|modern{_}slavery|forced{_}(?:labou?r|to{_}work))\b",
        ("they took all her money", "stealing his pension", "cuckooing", "trafficked here"),
    ),
    Rule(
        "adult-missing-or-homeless",
        "vulnerable_adult_at_risk",
        "A person missing or absconded, or left with nowhere to live or sleeping rough",
        rf"\b(?:(?:went|gone|go|going|reported|is|was){_}missing|abscond\w*|awol|"
        rf"nowhere{_}to{_}(?:live|go|sleep|stay)|sleep(?:ing)?{_}rough|"
        rf"(?:living|sleeping|slept|lived|ended{_}up|end{_}up|left){_}on{_}the{_}streets?)\b",
        ("he went missing from the ward", "discharged with nowhere to live", "sleeping rough"),
    ),
    # --- the form's other languages (Polish, Punjabi): core terms only, for community review.
    # Typed with or without Polish diacritics; Punjabi in Gurmukhi (no word boundaries: vowel
    # signs are not word characters) or romanised. English rules are far fuller.
    Rule(
        "pl-suicide",
        "suicide",
        "Polish (for community review): suicide, killing oneself, wanting to die",
        r"\b(?:samob[oó]j\w*|zabi[cć][\W_]+si[eę]|si[eę][\W_]+zabi[cć]|zabij[eę][\W_]+si[eę]|"
        r"chc[eę][\W_]+umrze[cć]|odebra[cć][\W_]+sobie[\W_]+[zż]ycie)",
        ("mam myśli samobójcze", "chce sie zabic", "chcę umrzeć"),
    ),
    Rule(
        "pl-self-harm",
        "self_harm",
        "Polish (for community review): self-harm, cutting oneself, overdose",
        r"\b(?:samookalecz\w*|okalecz\w*|tn[eę][\W_]+si[eę]|przedawkow\w*)",
        ("samookaleczenie", "znowu tnę się", "przedawkowałam leki"),
    ),
    Rule(
        "pl-abuse-violence",
        "violence",
        "Polish (for community review): violence, being hit or beaten",
        r"\b(?:przemoc\w*|bi(?:je|ł|l|ła|la)[\W_]+mnie|pobi(?:ł|l|ła|la|ty|ta|to)\w*)",
        ("przemoc domowa", "mąż bije mnie", "zostałam pobita"),
    ),
    Rule(
        "pl-abuse-sexual",
        "abuse",
        "Polish (for community review): rape, sexual abuse",
        r"\b(?:zgwa[lł]c\w*|gwa[lł]t\w*|wykorzyst\w*[\W_]+seksual\w*|molest\w*)",
        ("zgwałcił mnie", "wykorzystywanie seksualne"),
    ),
    Rule(
        "pl-threats",
        "threats",
        "Polish (for community review): threats, 'I will kill'",
        r"\b(?:gro[zź]\w*|zabij[eę][\W_]+(?:go|j[aą]|ci[eę]|was|ich))",
        ("grozi mi", "zabiję go"),
    ),
    Rule(
        "pa-suicide",
        "suicide",
        "Punjabi (for community review): suicide (ਖੁਦਕੁਸ਼ੀ, ਆਤਮਹੱਤਿਆ, romanised khudkushi, "
        "atamhatya), wanting to die (ਮਰਨਾ ਚਾਹੁੰਦਾ/ਚਾਹੁੰਦੀ)",
        # khudkushi: KHA or KHHA (or KHA + nukta), optional U, DA, KA U, SHA (or SA + nukta), II
        r"(?:(?:\u0a16|\u0a59)\u0a3c?\u0a41?\u0a26 ?\u0a15\u0a41(?:\u0a36|\u0a38\u0a3c)\u0a40|"
        r"ਆਤਮ ?ਹੱ?ਤਿਆ|ਮਰਨਾ ਚਾਹੁੰਦ|"
        r"\bkhud ?kushi|\baatm?a? ?hatya|\batam ?hatya)",
        ("ਮੈਂ ਖੁਦਕੁਸ਼ੀ ਬਾਰੇ ਸੋਚਦਾ ਹਾਂ", "ਆਤਮਹੱਤਿਆ", "ਮੈਂ ਮਰਨਾ ਚਾਹੁੰਦੀ ਹਾਂ", "khudkushi"),
    ),
    Rule(
        "pa-self-harm",
        "self_harm",
        "Punjabi (for community review): harming oneself (ਆਪਣੇ ਆਪ ਨੂੰ ਨੁਕਸਾਨ / ਸੱਟ)",
        r"ਆਪਣੇ ਆਪ ਨੂੰ (?:ਨੁਕਸਾਨ|ਸੱਟ)",
        ("ਮੈਂ ਆਪਣੇ ਆਪ ਨੂੰ ਨੁਕਸਾਨ ਪਹੁੰਚਾਇਆ",),
    ),
    Rule(
        "pa-violence",
        "violence",
        "Punjabi (for community review): violence (ਹਿੰਸਾ), beating (ਕੁੱਟ…)",
        r"(?:ਹਿੰਸਾ|ਕੁੱਟ)",
        ("ਘਰੇਲੂ ਹਿੰਸਾ", "ਉਹ ਮੈਨੂੰ ਕੁੱਟਦਾ ਹੈ"),
    ),
    Rule(
        "pa-abuse",
        "abuse",
        "Punjabi (for community review): rape (ਬਲਾਤਕਾਰ), abuse or exploitation (ਸ਼ੋਸ਼ਣ)",
        r"(?:ਬਲਾਤਕਾਰ|(?:\u0a36|\u0a38\u0a3c)\u0a4b(?:\u0a36|\u0a38\u0a3c)\u0a23)",  # shoshan
        ("ਬਲਾਤਕਾਰ", "ਸ਼ੋਸ਼ਣ"),
    ),
    Rule(
        "pa-threats",
        "threats",
        "Punjabi (for community review): threat (ਧਮਕੀ), 'I will kill' (ਮਾਰ ਦੇਵਾਂਗਾ/ਦੇਵਾਂਗੀ)",
        r"(?:ਧਮਕੀ|ਮਾਰ ਦੇਵਾਂਗ|\bdhamki)",
        ("ਉਸਨੇ ਧਮਕੀ ਦਿੱਤੀ", "ਮੈਂ ਉਸਨੂੰ ਮਾਰ ਦੇਵਾਂਗਾ"),
    ),
)

_STRAIGHTEN = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"'}
)
_CONTEXT = 40  # characters either side that an exception looks at


def screen(text: str) -> Screening:
    """Screen one comment against every rule; deterministic, total over any string.

    Offsets in each :class:`Match` index the text as given, so the moderation page can
    highlight the words. Categories come back in :data:`CATEGORIES` order.
    """
    if not isinstance(text, str):
        raise TypeError(f"screen() expects the comment as a str, got {type(text).__name__}")
    normalised = text.translate(_STRAIGHTEN)  # one character for one: offsets are kept
    matches: list[Match] = []
    for rule in RULES:
        for found in rule.compiled.finditer(normalised):
            start, end = found.span()
            if rule.unless_before and re.search(
                rule.unless_before, normalised[max(0, start - _CONTEXT) : start], re.IGNORECASE
            ):
                continue
            if rule.unless_after and re.search(
                rule.unless_after, normalised[end : end + _CONTEXT], re.IGNORECASE
            ):
                continue
            matches.append(Match(rule.category, rule.rule_id, text[start:end], start, end))
    found_categories = {m.category for m in matches}
    return Screening(
        categories=tuple(c for c in CATEGORIES if c in found_categories),
        matches=tuple(sorted(matches, key=lambda m: (m.start, m.end, m.rule_id))),
    )


def rules_markdown() -> str:
    """The rule table as Markdown, for ``docs/listening.md`` (a test keeps them in step)."""
    lines = [
        "| rule | category | flags | for example | exception |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in RULES:
        examples = "; ".join(f"“{e}”" for e in rule.examples)
        lines.append(
            f"| `{rule.rule_id}` | {CATEGORY_LABELS[rule.category]} | {rule.description} "
            f"| {examples} | {rule.exception_note or '—'} |"
        )
    return "\n".join(lines) + "\n"
