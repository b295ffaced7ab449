/**
 * Name and address material for the independent labelled population: Australian-style people and addresses
 * (the FEBRL benchmark family's shape), written for this generator and not shared with bench/match. Lists are
 * most common first; the population draws from them with Zipf weights, so a few values are frequent and most
 * are rare, as in real name files.
 */
const words = (s: string) => s.trim().split(/\s+/);

export const GIVEN_FEMALE = words(`
charlotte olivia amelia isla mia ava grace chloe sophie ella emily zoe ruby lucy matilda harper evie georgia
jessica sarah rebecca katherine elizabeth margaret jennifer deborah victoria susan patricia caroline alexandra
samantha christine catherine kimberly natalie danielle stephanie michelle rachel hannah lauren madeleine
abigail imogen scarlett poppy willow phoebe hayley tahlia brooke jasmine kayla shannon bianca tegan courtney
leanne kylie tracey narelle sharon joanne belinda melinda rhonda bronwyn gwendolyn dorothy beatrice florence
josephine eleanor frances theodora annabel penelope rosalind genevieve harriet wilhelmina anastasia despina
eleni giulia francesca carmela nguyet thuy mai linh xiu ying mei priyanka deepika anjali fatimah zainab
aroha mereana kirra jarrah yindi talara alinta marlee`);

export const GIVEN_MALE = words(`
oliver jack william noah thomas james lucas henry charlie leo lachlan harrison samuel benjamin alexander
joshua daniel matthew michael christopher andrew nicholas jonathan anthony stephen timothy joseph edward
richard robert frederick zachary nathaniel patrick kenneth douglas gregory raymond darren shane brett craig
wayne glenn trent jarrod bradley lindsay barry graham keith neville colin trevor ross murray clive warwick
angus hamish fergus callum declan lochlan ewan archibald reginald cuthbert bartholomew montgomery
konstantinos dimitrios georgios giovanni salvatore vincenzo minh tuan quang wei jun hao rajesh arjun
vikram mohammed omar tariq wiremu tane rangi jedda bindi kurt`);

/** Nicknames and short forms of the given names above (full form → variants a clerk might type instead). */
export const NICKNAMES: Readonly<Record<string, readonly string[]>> = {
  elizabeth: ['liz', 'beth', 'lizzie', 'eliza'], margaret: ['maggie', 'peggy', 'meg', 'marg'], katherine: ['kate', 'kath', 'katie'],
  catherine: ['cathy', 'cate'], jennifer: ['jen', 'jenny'], deborah: ['deb', 'debbie'], victoria: ['vicky', 'tori'],
  susan: ['sue', 'suzie'], patricia: ['trish', 'pat', 'patty'], caroline: ['caro', 'carrie'], alexandra: ['alex', 'sandra', 'lexie'],
  samantha: ['sam', 'sammy'], christine: ['chris', 'chrissy'], kimberly: ['kim'], stephanie: ['steph'], rebecca: ['bec', 'becky'],
  jessica: ['jess'], natalie: ['nat'], abigail: ['abby'], josephine: ['jo', 'josie'], eleanor: ['ellie', 'nell'],
  frances: ['fran'], theodora: ['teddie', 'dora'], penelope: ['penny'], harriet: ['hattie'], florence: ['flo'],
  dorothy: ['dot', 'dottie'], madeleine: ['maddie'], gwendolyn: ['gwen'], wilhelmina: ['mina', 'billie'],
  william: ['bill', 'will', 'billy', 'liam'], james: ['jim', 'jimmy', 'jamie'], thomas: ['tom', 'tommy'], henry: ['harry', 'hal'],
  lachlan: ['lachie'], harrison: ['harry'], samuel: ['sam'], benjamin: ['ben', 'benji'], alexander: ['alex', 'xander'],
  joshua: ['josh'], daniel: ['dan', 'danny'], matthew: ['matt'], michael: ['mick', 'mike', 'mikey'], christopher: ['chris', 'kit'],
  andrew: ['andy', 'drew'], nicholas: ['nick', 'nico'], jonathan: ['jon', 'jono'], anthony: ['tony', 'ant'], stephen: ['steve'],
  timothy: ['tim'], joseph: ['joe', 'joey'], edward: ['ted', 'ed', 'eddie', 'ned'], richard: ['rick', 'dick', 'richie'],
  robert: ['bob', 'rob', 'robbie'], frederick: ['fred', 'freddie'], zachary: ['zac', 'zach'], nathaniel: ['nate', 'nat'],
  patrick: ['paddy', 'pat'], kenneth: ['ken', 'kenny'], douglas: ['doug'], gregory: ['greg'], raymond: ['ray'],
  archibald: ['archie'], reginald: ['reg', 'reggie'], bartholomew: ['bart'], montgomery: ['monty'], charlie: ['charles'],
  konstantinos: ['kosta', 'con'], dimitrios: ['jim', 'dimi'], georgios: ['george'], giovanni: ['john', 'gianni'],
  salvatore: ['sam', 'sal'], vincenzo: ['vince', 'enzo'], mohammed: ['mo'],
};

export const SURNAMES = words(`
smith jones williams brown wilson taylor johnson white martin anderson thompson nguyen thomas walker harris
lee ryan robinson kelly king davis wright evans roberts green hall wood jackson clarke patel khan lewis james
phillips mitchell murphy campbell scott young turner edwards morris cook hill ward baker o'brien o'connor
mcdonald mckenzie macdonald fitzgerald sullivan gallagher donnelly kennedy byrne doyle quinn hennessy
stewart fraser henderson cameron grant hamilton robertson murray douglas sinclair buchanan ferguson
papadopoulos nikolaidis georgiou russo esposito romano ricci marino greco bianchi colombo tran pham huynh
vo dang bui do ngo wang zhang chen liu yang huang zhao singh sharma kaur gupta kumar
clarkson atkinson fielding hargreaves whitfield ashworth pemberton thornton blackwood greenaway holloway
underwood lockwood sherwood marsden ellwood broadbent cartwright wainwright arkwright shipley
dunstan penhaligon trelawney tregear pascoe rowe jago vosper couch hocking
bosworth kingsley fairweather merriweather goodfellow lovegrove honeysett pettigrew tattersall`);

/** Syllables for a long tail of rare family names (rare names are where term frequencies matter most). */
export const TAIL_START = words('bal cor dun fen gar hal kem lor mal nor pen ros sel tam vor wyn bra cal dre fla gri jar kir lun mor quen ral sto tre ven');
export const TAIL_END = words('by dale ford ham hurst ley more ridge stone ton vale well worth wick croft field gate land mont rick sen stead wood');

export const STREET_NAMES = words(`
george king queen william elizabeth victoria albert church high station railway park river bridge mill
hill mountain beach ocean bay harbour wattle banksia acacia waratah jacaranda eucalypt grevillea boronia
kurrajong coolabah wollemi lilly pilly telopea wombat kookaburra lyrebird currawong rosella galah
bligh macquarie phillip hunter darling flinders sturt stirling hume hovell oxley mitchell kennedy
leichhardt burke wills eyre forrest giles cunningham lawson blaxland wentworth cook banks solander
anzac federation jubilee coronation heritage pioneer settlers miners drovers shearers`).filter((w) => w.length > 2);

export const STREET_TYPES: readonly (readonly [string, number])[] = [
  ['street', 40], ['road', 20], ['avenue', 10], ['drive', 8], ['place', 6], ['court', 5], ['crescent', 4], ['close', 3], ['parade', 2],
  ['lane', 2], ['terrace', 2], ['way', 2], ['circuit', 1], ['highway', 1],
];

/** Building or property names that address_2 carries for a minority of records, as in FEBRL. */
export const ADDRESS_2 = words(`
rosedale greenacres willowbank the_grange hillview bayview riverside_lodge kingsford_house
stonehaven bellevue fairhaven glenrock oakleigh_park wattle_grove sunnybrae`).map((w) => w.replace(/_/g, ' '));

/** Suburb, postcode, state: real-looking Australian localities (postcodes in each state's range). */
export const LOCALITIES: readonly (readonly [string, string, string])[] = [
  ['parramatta', '2150', 'nsw'], ['bondi', '2026', 'nsw'], ['newtown', '2042', 'nsw'], ['chatswood', '2067', 'nsw'],
  ['penrith', '2750', 'nsw'], ['blacktown', '2148', 'nsw'], ['liverpool', '2170', 'nsw'], ['manly', '2095', 'nsw'],
  ['hornsby', '2077', 'nsw'], ['wollongong', '2500', 'nsw'], ['newcastle', '2300', 'nsw'], ['gosford', '2250', 'nsw'],
  ['orange', '2800', 'nsw'], ['dubbo', '2830', 'nsw'], ['wagga wagga', '2650', 'nsw'], ['albury', '2640', 'nsw'],
  ['tamworth', '2340', 'nsw'], ['lismore', '2480', 'nsw'], ['bathurst', '2795', 'nsw'], ['cronulla', '2230', 'nsw'],
  ['fitzroy', '3065', 'vic'], ['st kilda', '3182', 'vic'], ['brunswick', '3056', 'vic'], ['richmond', '3121', 'vic'],
  ['footscray', '3011', 'vic'], ['box hill', '3128', 'vic'], ['dandenong', '3175', 'vic'], ['frankston', '3199', 'vic'],
  ['geelong', '3220', 'vic'], ['ballarat', '3350', 'vic'], ['bendigo', '3550', 'vic'], ['shepparton', '3630', 'vic'],
  ['mildura', '3500', 'vic'], ['warrnambool', '3280', 'vic'], ['traralgon', '3844', 'vic'], ['werribee', '3030', 'vic'],
  ['toowong', '4066', 'qld'], ['fortitude valley', '4006', 'qld'], ['southport', '4215', 'qld'], ['ipswich', '4305', 'qld'],
  ['toowoomba', '4350', 'qld'], ['cairns', '4870', 'qld'], ['townsville', '4810', 'qld'], ['mackay', '4740', 'qld'],
  ['rockhampton', '4700', 'qld'], ['bundaberg', '4670', 'qld'], ['maroochydore', '4558', 'qld'], ['caboolture', '4510', 'qld'],
  ['fremantle', '6160', 'wa'], ['subiaco', '6008', 'wa'], ['joondalup', '6027', 'wa'], ['rockingham', '6168', 'wa'],
  ['mandurah', '6210', 'wa'], ['bunbury', '6230', 'wa'], ['geraldton', '6530', 'wa'], ['kalgoorlie', '6430', 'wa'],
  ['albany', '6330', 'wa'], ['midland', '6056', 'wa'], ['glenelg', '5045', 'sa'], ['norwood', '5067', 'sa'],
  ['elizabeth', '5112', 'sa'], ['mount gambier', '5290', 'sa'], ['whyalla', '5600', 'sa'], ['port augusta', '5700', 'sa'],
  ['murray bridge', '5253', 'sa'], ['salisbury', '5108', 'sa'], ['sandy bay', '7005', 'tas'], ['launceston', '7250', 'tas'],
  ['devonport', '7310', 'tas'], ['burnie', '7320', 'tas'], ['kingston', '7050', 'tas'], ['braddon', '2612', 'act'],
  ['belconnen', '2617', 'act'], ['tuggeranong', '2900', 'act'], ['gungahlin', '2912', 'act'], ['woden', '2606', 'act'],
  ['darwin city', '0800', 'nt'], ['palmerston', '0830', 'nt'], ['alice springs', '0870', 'nt'], ['katherine', '0850', 'nt'],
];

/** Mailbox providers, most used first; the population's e-mail addresses are at one of these. */
export const MAIL_DOMAINS = words('gmail.com outlook.com bigpond.com hotmail.com yahoo.com.au icloud.com optusnet.com.au iinet.net.au tpg.com.au live.com.au');
