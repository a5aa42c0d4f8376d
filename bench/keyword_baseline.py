"""A hand-written Dutch keyword/regex intent classifier: the strong, honest baseline of the quality benchmark.

Every intent of ``domain.yml`` has weighted regular expressions written from knowledge of Dutch care (which
law covers a nursing home, a stair lift, a psychologist's waiting list, a child, a complaint). A message's
score for an intent is the sum of the weights of its patterns that match (each pattern counts once), on
the lower-cased text. Three hand-made features add to that: an age under 18 ("van 14", "(12)", "ik ben
vijftien") adds to ``jeugdwet`` and only adult ages subtract from it; three or more different responsible
parties named (gemeente, verzekeraar, CIZ, ...) add to ``vastgelopen``. Small-talk intents (greet, thanks,
affirm, ask_contact, ...) count fully only in short messages, so "hallo, mijn moeder heeft dementie ..."
is a care question. The best score wins; ties go to ``crisis`` first (safety), then alphabetically.

Fallback: when nothing matches, the intent is ``out_of_scope`` with confidence 0. The baseline does not
guess a care category it has no evidence for (a wrong category sends people to the wrong desk, which
is worse than "I cannot help with this"); a weak pattern for generic care words ("zorg", "hulp") does
send a care-sounding message without any specific keyword to ``vastgelopen``, i.e. to Het Juiste Loket,
the desk for people who do not know where they belong.

Tuning data: the training data (``data/nlu``) and the dev sets (``tests/dev/messages.jsonl``,
``tests/dev/messages_b.jsonl``) only; the held-out set was never read, and the patterns were frozen
before the first held-out run. Intent accuracy then: data/nlu 0.955 (1,602 examples), dev 0.947 (150),
dev_b 0.893 (140); all three were tuned on, so expect less on unseen text.
``python -m bench.keyword_baseline FILE...`` prints it.

The parse has Rasa's shape, so :meth:`bot.triage.Triage.decide_parse` accepts it; entities (facts) are
not this module's business and are passed through from the caller.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

# intent -> [(regex, weight)], matched against the lower-cased, whitespace-normalised text.
PATTERNS: dict[str, list[tuple[str, float]]] = {
    "crisis": [(r"zelfmoord|su[iï]cid|suicide|zelfdoding", 7),
               (r"niet meer (verder )?(leven|wakker)|wil (niet meer|dood)\b", 6),
               (r"dood wil|\bwil dood|wil sterven|\bi want to die", 6),
               (r"eind(e)? aan (te )?(maken|maakt|\w+ leven)", 6),
               (r"(mezelf|zichzelf|mijzelf) (iets )?(aan ?doen|aandoet|iets aan|van het leven|neer te steken)", 6),
               (r"van het leven beroven|afscheid (wil )?nem|afscheidsbrief|ophangen|touw (heb|ge)kocht|een touw\b", 6),
               (r"(pillen|slaappillen|medicijnen|medicatie|paracetamol|morfine|insuline)\b.{0,40}(ingenomen|"
                r"geslikt|genomen|gespoten|klaar|verzameld|leeggemaakt)|overdosis", 6),
               (r"(springen|spring)\b|op het (dak|balkon|spoor)|op de brug|bij het spoor|voor de trein", 3),
               (r"reageert (niet|nergens)( meer)?( op (aankloppen|aanspreken|niks|niets))?(\W*$|[,.!]| en )|"
                r"ademt (niet|heel raar|raar)|geen adem|niet (meer )?(wakker|aanspreekbaar)|bewusteloos|"
                r"bewustzijn|in elkaar (gezakt|gestort)|blauw (aangelopen|rond)|pijn op de borst|hangt scheef", 6),
               (r"\bmes\b|hamer|bedreig|\bslaat (me|mij|mijn|ons|zijn|haar)\b|\bgeslagen|gillen|vermoorden|"
                r"dood te maken|iets (moet )?aan ?doen", 3),
               (r"psychotisch|hoort stemmen", 3), (r"dreig|opgesloten|bang voor (ons|mijn) leven", 2),
               (r"psychose\b|in de war", 1.5),
               (r"er niet meer (ben|zijn|ben)|nooit meer wakker|verdwijnen|niemand zal me missen|alles al geregeld", 3),
               (r"polsen|gesneden|bloedt", 3), (r"\b112\b|\bnu\b|op dit moment|vannacht|vanavond|help\b", 0.5),
               (r"weggelopen.{0,60}(nacht|vriest|snelweg)|het vriest", 2), (r"weggelopen|deur uit gegaan", 2)],
    "wlz": [(r"\bwlz|wet langdurige zorg", 3), (r"verpleeg(huis|tehuis|huizen)|verpleeghuisplek", 3), (r"\btehuis", 2),
            (r"blijvend|hele dag (hulp|zorg)|zorgcentrum|woonvoorziening|zorgzwaartepakket|\bzzp\b", 2),
            (r"\bciz\b", 2.5), (r"zorgkantoor", 2.5), (r"ge[iï]ndiceerd|\bindicatie|indikatie|indicatsie", 1),
            (r"24 ?uurs?|24/7|dag en nacht|permanent(e)? (toezicht|begeleiding)|blijvend toezicht|continu", 3),
            (r"toezicht|niet meer alleen|niet (meer )?zelfstandig (kan )?wonen|"
             r"thuis gaat (het )?(echt )?niet meer|niet meer (thuis|naar huis)", 1.5),
            (r"dement|alzheimer|parkinson|korsakov", 1), (r"psychogeriatri|gesloten afdeling|korsakovcentrum", 3),
            (r"\bvpt\b|\bmpt\b|volledig pakket|zorg in natura|actief wachtend|wachtend op voorkeur|"
             r"overbruggingszorg", 3),
            (r"\bvv ?\d|opnameplek|opgenomen worden|opname\b|woonplek|woonvorm|instelling|kleinschalig wonen", 1.5),
            (r"(meervoudig|ernstig|zwaar)e? (verstandelijke |meervoudige )?(beperking|gehandicapt|beperkt)", 2),
            (r"logeer|wooninitiatief|\bplek\b", 1), (r"nursing home", 3)],
    "zvw": [(r"zorgverzeker|verzekeraa?r?\b|verzekering|verzekerd", 1.5),
            (r"zorgbemiddel|wachtlijstbemiddel|bemiddel", 2.5), (r"wijkverpleg|thuiszorg|thuis zorg|verpleging", 2),
            (r"ziekenhuis|ontslag|operatie|opratie|geopereerd", 1.5),
            (r"\bwond|insul[i]?ne|steunkousen|stoma|katheter|sonde|morfinepomp|trombose|verband|doorligwond|drain", 3),
            (r"revalid|elv\b|eerstelijnsverblijf|heupfractuur|knieprothese|knievervanging|beroerte|hartinfarct", 2.5),
            (r"\bggz|psycholoog|psygoloog|pyscholoog|psychiater|therapie|behandelaar|behandelplek|behandeling|"
             r"emdr|kliniek", 1.5),
            (r"depressi|angst|ptss|trauma|eetstoornis|anorexia|bipolair|schizofren|verslaving|\bocd\b|burn.?out|"
             r"psychos", 1),
            (r"wachtlijst|wachlijst|wachtljst|wachttijd|wachten", 1),
            (r"treeknorm|specialistische ggz|basis ?ggz|aanmeldstop", 3),
            (r"kindzorg|kinderverpleging|kinderthuiszorg|\bikz\b|tracheacanule|beademing", 4),
            (r"ziekenvervoer|vervoer|taxi naar|chemo|dialyse|bestraling|intake", 2),
            (r"krukken|rollator|douchestoel lenen|douchekruk|uitleen|lenen|paar (weken|maanden)|tijdelijk|breuk|"
             r"gebroken", 2),
            (r"volwassen|diagnos", 1),
            (r"zilveren kruis|\bcz\b|\bvgz\b|menzis|\bdsw\b|\bonvz\b|ohra|fbto|univ[eé]|interpolis|achmea|"
             r"a\.s\.r|\beno\b|salland|\biza\b|zorg en zekerheid|de friesland", 1.5),
            (r"cognitief (helemaal )?gezond|verstandelijk (is hij )?(helemaal )?in orde|"
             r"geen verstandelijke beperking|slim", 3),
            (r"psychologist|waiting list", 2)],
    "wmo": [(r"gemeente|gemeende|gemeentes", 1.5), (r"\bwmo", 3), (r"huishoud|schoonma|poetsen|stofzuig|bedden", 3),
            (r"trapl[i]?ft|scootmobi|regiotaxi|maatwerkvoorziening|collectieve voorziening|keukentafel", 3),
            (r"rolstoel", 1.5), (r"aanpass|badkamer|douche|drempel|toilet|beugel|hellingbaan|trap niet|de trap", 2),
            (r"dagbesteding", 2.5), (r"(18|achttien).{0,50}(stop|gestopt)|(stop|gestopt).{0,50}(18|achttien)", 3),
            (r"begeleid(ing|en)?\b|ondersteuning", 1), (r"begeleid wonen|beschermd(e)? (wonen|woonplek)", 3.5),
            (r"mantelzorg|respijt|logeerhuis|ontlast|lucht heeft", 2),
            (r"wijkteam|cli[eë]ntondersteun|consulent|beschikking|eigen bijdrage|herindicatie", 1),
            (r"administratie|\bpost\b|geldzaken|\bgeld\b|rekeningen|financi|structuur|plannen|boodschappen|koken", 1.5),
            (r"hersenletsel|\bnah\b", 1.5),
            (r"(beginnende|lichte|vroeg stadium).{0,12}(dementie|alzheimer)|vergeetachtig|vergeet soms", 2.5),
            (r"woont (nog )?(zelfstandig|alleen|thuis|goed thuis|prima thuis)|alleen thuis|vereenzaam", 1),
            (r"slecht ter been|reuma|longziekte|\bms\b", 1),
            (r"(18|achttien) (is )?(geworden|werd)|\b(19|2\d|[3-9]\d) (jaar|is)\b", 1)],
    "jeugdwet": [(r"jeugd|jeugz", 3), (r"\bpleeg", 3), (r"expertteam", 2),
                 (r"\b(kind|kinderen|kindje|zoon|zoontje|dochter|dochtertje|peuter|kleuter|puber|tiener|tweeling|"
                  r"kleinzoon|kleindochter|nichtje|neefje|leerling|meisje|jongen)\b", 1),
                 (r"school|spijbel|mentor|\bklas|leerplicht|thuiszit|groep \d", 2),
                 (r"opvoed|gezinsvoogd|gezinshuis|gezinsbegeleiding", 3),
                 (r"consultatiebureau|jeugdarts|kinderdagverblijf|kinderpsych|logopedi", 2.5),
                 (r"\bouders\b|als ouders", 1.5),
                 (r"scheiding|gescheiden|ruzie|driftbui|woedeaanval|gedrag|agressie|blowt|gamet", 1.5),
                 (r"dyslexie|adhd|autis|hechting|ontwikkelingsachterstand|\bodd\b|fasd|tourette|\blvb\b", 1),
                 (r"\bik ben (1[0-7]|dertien|veertien|vijftien|zestien|zeventien)\b", 2)],
    "klacht": [(r"\bklacht\b|klacht (in|over|bij|liggen|ingediend)|klachten(functionaris|procedure|commissie|"
                r"regeling)|klagen|klagt|klachtt|een klacht|klachten (indienen|melden)", 5),
               (r"ontevreden", 3),
               (r"onbeschoft|onbeschofte|onbeleefd|brutaal|\bgrof\b|kortaf|neerbuigend|denigrerend|respectloos|"
                r"uitgelachen|afgesnauwd|uitgescholden|minachtend|afgescheept|afgewimpeld|onvriendelijk|"
                r"bejegening|te woord", 3),
               (r"niet serieus|niet gehoord|buitengesloten|buiten gehouden|vertelt (ons|me|mij) (iets|niets|"
                r"niks)|genegeerd|negeerde|nergens bij betrokken|slecht behandeld|niemand luisterde|verdwenen|"
                r"als een nummer|geen antwoord|niet (eens )?behandeld", 3),
               (r"(verzeker|zilveren kruis|\bcz\b|\bvgz\b|menzis|\bdsw\b|onvz|ohra|fbto|univ[eé]|interpolis|"
                r"achmea|a\.s\.r|\beno\b|salland|\biza\b|zorg en zekerheid).{0,60}(weiger|afgewezen|vergoed|"
                r"betaalt|niet eens|bezwaar|reageert)", 3),
               (r"bezwaar.{0,80}afgewezen|onterecht|aanstellen|niet (ons|mijn) probleem|reageren niet|"
                r"reageert niet op", 2),
               (r"(wil|ga|gaan) .{0,20}(een )?klacht|klacht (indienen|over)|wil (gewoon )?klagen", 4),
               (r"rekening\b|factuur|gedeclareerd|declaratie|declar|incasso|tarief|in rekening", 2.5),
               (r"vergoed|weigert|afgewezen|machtiging", 1), (r"\bbezwaar", 0.5),
               (r"skgz|geschil|ombudsman|inspectie|\bigj\b|meldpunt|calamiteit|toezicht op|vertrouwenspersoon|"
                r"\bakj\b", 3),
               (r"\bmeld(en|ing)?\b|melding maken", 2),
               (r"(ben|is) (het|t)? ?(er )?(absoluut )?niet (mee )?eens|oneerlijk|niet eerlijk", 2),
               (r"verwaarloos|onveilig|fixeer|fixeert|vastgezet|verkeerde medicatie|verkeerd (behandeld|gegeven)|"
                r"beroepsgeheim|gevaarlijk|foutje|van een andere bewoner", 3),
               (r"vertrouwelijke informatie|zonder (overleg|toestemming)|gemist|vergeten|natte luiers|"
                r"blauwe plek|personeel", 1.5),
               (r"controleert|schandalig|vieze|dezelfde kleren|hardhandig|schreeuw\w* tegen|niet juist|"
                r"dat mag toch niet|weigeren|vertell?(en|t) ons|niemand heeft ons|niet ge[iï]nformeerd|"
                r"afgevallen|rekent|reiskosten|te laat|laten vallen|heel bot|hing .{0,10}op|urenlang|"
                r"onacceptabel|zonder uitleg|gemeld|niet kloppen|klopt niet met", 2),
               (r"structureel|woedend|boos|\bzat\b|belachelijk|pik ik niet|schadevergoeding|fout bij|klaar mee", 1.5)],
    "vastgelopen": [(r"niemand (wil|weet|pakt|voelt|neemt|belt|vindt)|niemand die", 2),
                    (r"rondjes|cirkels|doolhof|verstoppertje", 3),
                    (r"kastje.{0,8}muur|van (het ene )?loket naar (het andere|loket)|ga (maar )?naar (die andere|"
                     r"b|a)\b", 4),
                    (r"(door|terug|rond)gestuurd|doorsturen|sturen het door|heen en weer|(steeds|"
                     r"weer) (maar )?doorverwezen|stuurt .{0,25}terug", 2.5),
                    (r"vastgelopen|vast ?lopen|loop .{0,12}vast|zitten .{0,15}vast|tegen een muur|"
                     r"in geen (enkel )?hokje|bevoegd|niemand (helpt|raad)|overal geweest|naar elkaar|"
                     r"bij de ander|aankloppen|overal krijg ik nee|\bklem\b|ergens anders (moeten|moet)|"
                     r"niet (ons|onze) (probleem|taak)|geen taak voor|volgens de .{0,60}volgens de|zeg(t|"
                     r"gen) dat .{0,80}zeg(t|gen) (dat|weer)", 2.5),
                    (r"wijs(t|en)? naar (elkaar|een ander)|bij een ander|een ander (verantwoordelijk|moet)|"
                     r"andersom", 3),
                    (r"verantwoordelijk|niet bij (ons|hen|hun)|niet onze afdeling|daar gaan wij niet over|"
                     r"wie beslist", 2),
                    (r"instanties?|loketten|balie", 2), (r"juiste loket", 1.5),
                    (r"boven (al )?(die|hen)|hogere instantie|escaleren|ministerie|knopen|ingrijpen|de baas|"
                     r"de leiding|regie", 2.5),
                    (r"valt (overal )?tussen|tussen (alle|de) regels|ingewikkeld|overal (een )?nee|moegestreden|"
                     r"komen er niet meer uit", 2.5),
                    (r"\b(elk|ander|verkeerde|volgende|ene) (loket|adres|afdeling|instantie|organisatie)|kastje|"
                     r"hot naar her|iemand anders|een ander (het|haar|hem)? ?moet|verwijs\w* .{0,12}door|"
                     r"verwijst|doorverbonden|rondje|rondgebeld|rondbellen|bel me suf|bal toespelen|eigen stukje|"
                     r"te zwaar voor|er niet over gaan|gaat er .{0,10}over|niet eens over wie|wie moet (betalen|"
                     r"helpen)|niemand wil betalen|alle (wegen|deuren)|deuren gaan dicht|spoor .{0,10}bijster|"
                     r"hokje|tussen (alle )?regelingen|vws|complexe zorgvra|overal (bent |ben )?(geweest|"
                     r"aangeklopt|buiten)|nergens (antwoord|terecht)|overzicht|waar (ik|ze|we|je) (heen|terecht|"
                     r"moet zijn)|bij wie (ik|we) moet", 2.5),
                    (r"niemand", 1), (r"\b(zorg|hulp|help|helpen|hulpvraag)\b", 0.5)],
    "greet": [(r"^(hallo\w*|hoi|hey|hee|hi|hello|goe(de|ie|den) ?(morgen|middag|avond|dag)|morgen|dag mevrouw|"
               r"he hallo)\b", 3)],
    "goodbye": [(r"doei|tot ziens|dag hoor|\bdoeg|tot (later|de volgende)|\bbye|houdoe|mazzel|ajuus|afsluiten|"
                 r"ik moet (nu )?weg|goedenacht|welterusten|ciao|fijne (dag|avond)|later (nog )?op terug|"
                 r"hier (even )?bij|dat was het|sluit.{0,15}af", 3)],
    "thanks": [(r"bedankt|\bdank|thanks|thnx|\btnx|merci|thank you|toppie|dat helpt|dankbaar|fijn dat", 3)],
    "affirm": [(r"^(ja|klopt|graag|jazeker|zeker|inderdaad|ok|oké|okay|prima|is goed|doe maar|yes|jep|yep|"
                r"precies|akkoord|correct|dat is juist|helemaal goed|dat mag wel|ja graag|ja dat klopt|"
                r"ja dat wil ik|ja alsjeblieft|ja hoor|ja dat is goed|graag zelfs|prima, ga je gang)\W*$", 3),
               (r"^(ja|ok|oké|prima)\b", 1)],
    "deny": [(r"^(nee|neen|nope|nah|no)\b|liever (nog )?niet|niet nodig|niet doen|absoluut niet|zeker niet|"
              r"klopt niet|(niet zo|onjuist|verkeerd)\W*$|geen behoefte|hoeft niet", 3)],
    "bot_challenge": [(r"ben (jij|je)|is dit|praat ik|zit er|antwoord jij|zijn dit|typ ik|wie zit|are you|"
                       r"wie ben jij|ben ik hier", 1.5),
                      (r"robot|\bbot\b|chatbot|computer|\bai\b|kunstmatige|machine|automatisch|chatgpt|mens\?|"
                       r"persoon\b.{0,20}\?|achter deze chat|terugschrijft|echt\?", 2)],
    "request_human": [(r"(wil|graag|kan ik|mag ik|liever|kunt u|verbind|kan (een|er)|is er|zijn er|"
                       r"wil (gewoon )?ff).{0,40}(mens|persoon|medewerker|mdewerker|iemand|collega|hulpverlener)", 2.5),
                      (r"(mens|persoon|medewerker|mdewerker)\W*(graag|aub|alstublieft|alsjeblieft|pls|"
                       r"spreken)?\W*$|echte (mens|persoon)|human|doorverbind|verbind me|terugbellen|bel me|"
                       r"(iemand|jullie) .{0,20}bellen|persoonlijk|niet (meer )?met (de|een) (bot|robot|computer|"
                       r"chat)|in plaats van|ipv deze chat|contact met (me|mij) (op)?nemen|met (een )?mens", 2.5)],
    "ask_contact": [(r"(telefoon)?nummer|mailadres|\bmail\b|contactgegevens|contactformulier|bereik|contact (met|"
                     r"op)|in contact|website|hoe bel ik|waar zit|(kan|hoe) ik .{0,20}(mailen|bellen)", 5)],
    "dont_know": [(r"weet (ik|het) (echt )?niet(?! meer)|geen (flauw |flauwe )?(idee|benul|notie|zicht)|nul idee|"
                   r"\bidk\b|onbekend|niet zeker|zou het niet weten|navragen|kan ik niet zeggen|"
                   r"geen antwoord op geven|nooit naar gekeken|zeker weten doe ik|ik weet niet (bij |of |wie |"
                   r"wat |welke )", 3)],
    "already_tried": [(r"al (geprobeerd|gedaan|gebeld|gemaild|geweest|contact|meerdere|een gesprek|een klacht|"
                       r"gehad)|heb ik al|daar (ben|kom|sta) ik (al|net)|werkte niet|niks mee opgeschoten|"
                       r"eerste wat ik deed|die (kunnen|zeiden|sturen|hebben)|hielp niet|geen reactie", 3),
                      (r"^(daar|die|dat|met hen) .{0,30}\bal\b|^al\b", 2)],
    "ask_privacy": [(r"gegevens|privacy|priv[eé]|anoniem|\bavg\b|bewaard|bewaren|opgeslagen|vertrouwelijk|"
                     r"\bbsn\b|verwijderd|wie (kan|krijgt).{0,30}(lezen|zien)|veilig om|werkgever|trainen|"
                     r"wat jullie met|doorgestuurd naar mijn|wordt dit", 3)],
    "andere_vraag": [(r"andere vraag|nog een vraag|nieuwe vraag|opnieuw|iets anders|^reset$|terug naar het begin", 3)],
    "inform": [(r"^(\d+|18 of ouder|jonger dan \d+|volwassen|meer dan \d+ weken|minder dan \d+ weken|voor mezelf|"
                r"zeventien|twaalf)$|^(ze|hij) is|^\d+ jaar|^(sinds|al|ongeveer|een half|vorige) |^(het gaat om|"
                r"het is voor)|^(de|het|mijn) \w+$|^(mijn|onze?|de) \w+ is \d+$|^ja[, ]+(maar|dat|er|ze)|"
                r"^we hebben|^ik heb het nog|^daar ben ik nog|nog mee bezig|loopt nog|^(ja, )?er is", 2.5),
               (r"^over (de|het)\b", 4)],
    "out_of_scope": [(r"bibliotheek|zwembad|\bbus\b|trein|paspoort|pizz|voetbal|verkiezing|recept|appeltaart|"
                      r"\bweer\b|pinautomaat|parkeer|bioscoop|film|fiets|hoofdstad|wifi|router|grofvuil|vuilnis|"
                      r"sportschool|vakantie|belasting|huurtoeslag|energie|baan\b|\bcv\b|rijbewijs|huiswerk|"
                      r"politiek|journaal|bitcoin|\bmop\b|gedicht|koken\b|calorie|auto\b|telefoon op|ikea|"
                      r"albert heijn|markt|bakker|tanken|bouwmarkt|koningsdag|translate|voetballer|kassa|"
                      r"postkantoor|lawaai|wollen|\bei\b|ajax|psv|\d+ keer \d+|gemeentehuis|stemmen\b", 3),
                     (r"hoe laat|openingstijden|wanneer is|wat kost", 1.5)],
}
SMALL_TALK = frozenset({"greet", "goodbye", "thanks", "affirm", "deny", "bot_challenge", "request_human", "ask_contact",
                        "dont_know", "already_tried", "ask_privacy", "andere_vraag", "inform", "out_of_scope"})
SHORT_WORDS, LONG_FACTOR = 9, 0.25  # small talk counts fully up to 9 words, at a quarter in longer messages
FALLBACK_INTENT = "out_of_scope"
MINOR_BONUS, ADULT_PENALTY = 2.5, 2.0  # jeugdwet: an age under 18 / only ages of 18 and over
PARTIES = re.compile(r"\b(gemeente|verzeker\w*|huisarts|wijkteam|jeugdteam|zorgkantoor|ciz|thuiszorg|ziekenhuis|"
                     r"juiste loket|wijkverpleging)")
MANY_PARTIES, PARTIES_BONUS = 3, 2.5  # vastgelopen: naming this many different parties
NUMBER_WORDS = {word: number for number, word in enumerate((
    "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf", "dertien", "veertien",
    "vijftien", "zestien", "zeventien", "achttien", "negentien", "twintig"), start=2)}
AGE = re.compile(r"(?:\bvan|\bben|\bis|\bzijn|\bwordt|\bpas|\()\s*(?:net |bijna |pas |nu )?(\d{1,3}|"
                 + "|".join(NUMBER_WORDS) + r")\b(?![.,]\d)(?!\s*(?:weken|maanden|dagen|uur|keer|naar|tot|per|euro|km|"
                 r"minuten|aanbieders|kinderen|loketten|instanties|jaar (?:geleden|terug|bezig|wachten)))")
COMPILED = {intent: [(re.compile(p), w) for p, w in rules] for intent, rules in PATTERNS.items()}


def normalise(text: str) -> str:
    """Lower-case, unify apostrophes and collapse whitespace."""
    return " ".join(text.lower().replace("’", "'").replace("`", "'").split())


def ages(text: str) -> list[int]:
    """The ages the (normalised) text gives people ("van 14", "(84)", "ik ben vijftien")."""
    found = [int(m.group(1)) if m.group(1).isdigit() else NUMBER_WORDS[m.group(1)] for m in AGE.finditer(text)
             if "wacht" not in text[max(0, m.start() - 20):m.start()]]  # not "de wachtlijst is 2 jaar"
    return [age for age in found if 0 < age < 120]


def scores(text: str) -> dict[str, float]:
    """The summed pattern weights per intent, with the age and parties features (only positive scores)."""
    norm = normalise(text)
    short = len(norm.split()) <= SHORT_WORDS
    result: dict[str, float] = {}
    for intent, rules in COMPILED.items():
        total = sum(weight for pattern, weight in rules if pattern.search(norm))
        result[intent] = total * LONG_FACTOR if intent in SMALL_TALK and not short else total
    if len(set(PARTIES.findall(norm))) >= MANY_PARTIES:
        result["vastgelopen"] += PARTIES_BONUS
    mentioned = ages(norm)
    if any(age < 18 for age in mentioned):
        result["jeugdwet"] += MINOR_BONUS
    elif mentioned and result["jeugdwet"]:
        result["jeugdwet"] -= ADULT_PENALTY
    return {intent: score for intent, score in result.items() if score > 0}


class KeywordClassifier:
    """Classifies a message by keyword scores and answers with a Rasa-shaped parse."""

    def parse(self, text: str, entities: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
        """A Rasa parse dict for ``text``; confidence = the winner's share of all matched weight.

        Args:
            text: the message.
            entities: entities to pass through (the baseline extracts none itself).

        Returns:
            ``{"text", "intent", "intent_ranking", "entities"}``.
        """
        found = scores(text)
        total = sum(found.values())
        ranking = [{"name": name, "confidence": round(score / total, 4)}
                   for name, score in sorted(found.items(), key=lambda item: (-item[1], item[0] != "crisis", item[0]))]
        ranking = ranking or [{"name": FALLBACK_INTENT, "confidence": 0.0}]
        return {"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking,
                "entities": [dict(entity) for entity in entities]}


def main(argv: list[str] | None = None) -> int:
    """Print the intent accuracy on Rasa NLU YAML or JSONL files (never tune on the held-out set)."""
    from bot.evaluation import load_examples
    from bot.nlu.crisis_model import read_nlu_examples

    classifier = KeywordClassifier()
    for path in map(Path, argv if argv is not None else sys.argv[1:]):
        examples = ([{"text": text, "intent": intent} for text, intent in read_nlu_examples(path)]
                    if path.suffix in (".yml", ".yaml") else load_examples(path))
        right = sum(classifier.parse(e["text"])["intent"]["name"] == e["intent"] for e in examples)
        print(f"{path}: intent accuracy {right / max(len(examples), 1):.3f} ({len(examples)} examples)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
