/**
 * Name material for the synthetic population, most common first (frequencies follow a power law). Written for
 * this benchmark; the long tail of rare family names is generated from syllables.
 */
export const FEMALE = `mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty margaret sandra
ashley kimberly emily donna michelle carol amanda dorothy melissa deborah stephanie rebecca sharon laura cynthia kathleen amy
angela shirley anna brenda pamela emma nicole helen samantha katherine christine debra rachel carolyn janet catherine maria
heather diane ruth julie olivia joyce virginia victoria kelly lauren christina joan evelyn judith megan andrea cheryl hannah
jacqueline martha gloria teresa ann sara madison frances kathryn janice jean abigail alice judy sophia grace denise amber doris
marilyn danielle beverly isabella theresa diana natalie brittany charlotte marie kayla alexis lori alexandra valerie josephine
eleanor anastasia ekaterina svetlana irina olga natalya tatiana malgorzata agnieszka magdalena giuseppina francesca dolores
guadalupe concepcion lucia camila valentina sofia ximena fatima aisha mei yuki priya ananya chloe zoe leah nora lily ella aurora
hazel violet stella luna penelope riley zoey ellie layla paisley naomi elena maya ivy willow`.split(/\s+/);

export const MALE = `james robert john michael david william richard joseph thomas christopher charles daniel matthew anthony
mark donald steven andrew paul joshua kenneth kevin brian george timothy ronald jason edward jeffrey ryan jacob gary nicholas eric
jonathan stephen larry justin scott brandon benjamin samuel gregory alexander patrick frank raymond jack dennis jerry tyler aaron
jose adam nathan henry zachary douglas peter kyle noah ethan jeremy walter christian keith roger terry austin sean gerald carl
harold dylan arthur lawrence jordan jesse bryan billy bruce gabriel joe logan alan juan albert willie elijah wayne randy vincent
mason roy ralph bobby russell bradley philip eugene dmitry sergei vladimir mikhail yuri aleksei wojciech francesco giuseppe
francisco manuel enrique ignacio rafael johannes wolfgang mohammed ahmed wei hiroshi raj arjun lucas liam oliver leo theodore
hudson miles ezra silas felix oscar hugo emil mateo santiago diego luis carlos miguel javier`.split(/\s+/);

export const FAMILY = `smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson
anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis robinson walker young
allen king wright scott torres nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter roberts gomez
phillips evans turner diaz parker cruz edwards collins reyes stewart morris morales murphy cook rogers gutierrez ortiz morgan
cooper peterson bailey reed kelly howard ramos kim cox ward richardson watson brooks chavez wood james bennett gray mendoza ruiz
hughes price alvarez castillo sanders patel myers long ross foster jimenez powell jenkins perry russell sullivan bell coleman
butler henderson barnes gonzales fisher vasquez simmons romero jordan patterson alexander hamilton graham reynolds griffin wallace
moreno west cole hayes bryant herrera gibson ellis tran medina aguilar stevens murray ford castro marshall owens harrison
fernandez mcdonald woods washington kennedy wells vargas henry chen freeman webb tucker guzman burns crawford olson simpson
porter hunter gordon mendez silva shaw snyder mason dixon munoz hunt hicks holmes palmer wagner black robertson boyd rose stone
salazar fox warren mills meyer rice schmidt garza daniels ferguson nichols stephens soto weaver ryan gardner payne grant dunn
kelley spencer hawkins arnold pierce vazquez hansen peters santos hart bradley knight elliott cunningham duncan armstrong
hudson carroll lane riley andrews alvarado ray delgado berry perkins hoffman johnston matthews pena richards contreras willis
carpenter lawrence sandoval guerrero george chapman rios estrada ortega watkins greene nunez wheeler valdez harper burke larson
santiago maldonado morrison franklin carlson austin dominguez carr lawson jacobs obrien lynch singh vega bishop montgomery
oliver jensen harvey williamson gilbert dean sims espinoza howell li wong reid hanson le mccoy garrett burton fuller wang
weber welch rojas lucas marquez fields park yang little banks padilla day walsh bowman schultz luna fowler mejia davidson
acosta brewer may holland juarez newman pearson curtis cortez douglas schneider joseph barrett navarro figueroa keller avila
wade molina stanley hopkins campos barnett bates chambers caldwell beck lambert miranda byrd craig ayala lowe frazier powers
neal leonard gregory carrillo sutton fleming rhodes shelton schwartz norris jennings watts duran walters cohen mcdaniel moran
parks steele vaughn becker holt deleon barker terry hale leon hail benson haynes horton miles lyons pham graves bush thornton
wolfe warner cabrera mckinney mann zimmerman dawson lara fletcher page mccarthy love robles cervantes solis erickson reeves
chang klein salinas fuentes baldwin daniel simon velasquez hardy higgins aguirre lin cummings chandler sharp barber bowen ochoa
dennis robbins liu ramsey francis griffith paul blair oconnor cardenas pacheco cross calderon quinn moss swanson chan rivas
khan rodgers serrano fitzgerald rosales stevenson christensen manning gill curry mclaughlin harmon mcgee gross doyle garner
newton burgess reese walton blake trujillo adkins brady goodman roman webster goodwin fischer huang potter delacruz montoya
todd wu hines mullins castaneda malone cannon tate mack sherman hubbard hodges zhang guerra wolf valencia saunders franco rowe
gallagher farmer hammond hampton townsend ingram wise gallegos clarke barton schroeder maxwell waters logan camacho strickland
norman person colon parsons frank harrington glover osborne buchanan casey floyd patton ibarra ball tyler suarez bowers orozco
salas cobb gibbs andrade bauer conner moody escobar mcguire lloyd mueller hartman french kramer mcbride pope lindsey velazquez
norton mccormick sparks flynn yates hogan marsh macias villanueva zamora pratt stokes owen ballard lang brock villarreal
charles drake barrera cain patrick pineda burnett mercado santana shepherd bautista ali shaffer lamb trevino mckenzie hess
beil olsen cochran morton nash wilkins petersen briggs shah roth nicholson holloway lozano rangel flowers hoover short arias
mora valenzuela bryan meyers weiss underwood bass greer summers houston carson morrow clayton whitaker decker yoder collier
zuniga carey wilcox melendez poole roberson larsen conley davenport copeland massey lam huff rocha cameron jefferson hood
monroe anthony pittman huynh randall singleton kirk combs mathis christian skinner bradford richard galvan wall boone kirby
wilkinson bridges bruce atkinson velez meza roy vincent york hodge villa abbott allison tapia gates chase sosa sweeney farrell
wyatt dalton horn barron phelps yu dickerson heath foley atkins mathews bonilla acevedo benitez zavala hensley glenn cisneros
harrell shields rubio choi huffman boyer garrison arroyo bond kane hancock callahan dillon cline wiggins grimes arellano
melton oneill savage ho beltran pitts parrish ponce rich booth koch golden ware brennan mcdowell marks cantu humphrey baxter
sawyer clay tanner hutchinson kaur berg wiley gilmore russo villegas hobbs keith wilkerson ivanov petrov smirnov kowalski
nowak wisniewski muller schmidt schneider rossi russo ferrari esposito bianchi romano colombo dubois moreau laurent lefebvre`.split(/\s+/);

export const STREETS = `oak maple cedar pine elm washington lake hill park main church high mill river spring sunset highland
forest meadow willow cherry walnut chestnut jefferson lincoln madison franklin adams jackson center market water bridge
north south east west king queen station union grove valley ridge view garden orchard vine college school academy`.split(/\s+/);

export const STREET_SUFFIXES = [['Street', 'St', 'St.'], ['Avenue', 'Ave', 'Ave.'], ['Road', 'Rd'], ['Drive', 'Dr'], ['Lane', 'Ln'], ['Boulevard', 'Blvd'], ['Court', 'Ct'], ['Place', 'Pl']] as const;

export const CITY_SYLLABLES = ['spring', 'field', 'river', 'side', 'oak', 'land', 'west', 'ville', 'green', 'port', 'mount', 'lake', 'wood', 'bridge', 'ford', 'ham', 'ton', 'burg', 'dale', 'view', 'fair', 'haven', 'brook', 'stone'];

export const FAMILY_SYLLABLES = ['bar', 'ber', 'kow', 'lan', 'mar', 'ton', 'vic', 'ski', 'sen', 'dorf', 'ley', 'win', 'ham', 'rid', 'gel', 'ost', 'ach', 'iza', 'ner', 'ova', 'ell', 'and', 'mor', 'tis', 'pal', 'rud', 'zen', 'qui', 'fal', 'ber', 'gui', 'dro'];

export const EMAIL_DOMAINS: readonly (readonly [string, number])[] = [
  ['gmail.com', 0.38], ['yahoo.com', 0.12], ['hotmail.com', 0.08], ['outlook.com', 0.07], ['icloud.com', 0.08], ['aol.com', 0.03],
  ['googlemail.com', 0.01], ['comcast.net', 0.03], ['proton.me', 0.02], ['me.com', 0.02],
];

/** Names in other scripts, as a CRM may store them, beside what a card or a clerk writes. */
export const NATIVE_SPELLINGS: Readonly<Record<string, string>> = {
  dmitry: 'Дмитрий', sergei: 'Сергей', vladimir: 'Владимир', mikhail: 'Михаил', yuri: 'Юрий', aleksei: 'Алексей', anastasia: 'Анастасия',
  ekaterina: 'Екатерина', svetlana: 'Светлана', irina: 'Ирина', olga: 'Ольга', natalya: 'Наталья', tatiana: 'Татьяна',
  ivanov: 'Иванов', petrov: 'Петров', smirnov: 'Смирнов', muller: 'Müller', jose: 'José', francois: 'François', malgorzata: 'Małgorzata',
  wojciech: 'Wojciech', nunez: 'Núñez', munoz: 'Muñoz', hernandez: 'Hernández', lopez: 'López', garcia: 'García', perez: 'Pérez',
  ramirez: 'Ramírez', gonzalez: 'González', rodriguez: 'Rodríguez', martinez: 'Martínez', sanchez: 'Sánchez', gomez: 'Gómez',
  diaz: 'Díaz', jimenez: 'Jiménez', alvarez: 'Álvarez', concepcion: 'Concepción', wisniewski: 'Wiśniewski',
};

/** Short forms people give instead of their name. */
export const NICKNAMES: Readonly<Record<string, readonly string[]>> = {
  william: ['bill', 'will', 'billy', 'liam'], robert: ['bob', 'rob', 'bobby'], richard: ['rick', 'dick', 'rich'], james: ['jim', 'jimmy', 'jamie'],
  john: ['johnny', 'jack'], michael: ['mike', 'mikey'], joseph: ['joe', 'joey'], thomas: ['tom', 'tommy'], christopher: ['chris'],
  charles: ['charlie', 'chuck'], daniel: ['dan', 'danny'], matthew: ['matt'], anthony: ['tony'], steven: ['steve'], andrew: ['andy', 'drew'],
  joshua: ['josh'], kenneth: ['ken', 'kenny'], timothy: ['tim'], ronald: ['ron'], edward: ['ed', 'eddie', 'ted'], jeffrey: ['jeff'],
  nicholas: ['nick'], jonathan: ['jon'], samuel: ['sam'], benjamin: ['ben'], gregory: ['greg'], alexander: ['alex', 'sasha'],
  patrick: ['pat'], zachary: ['zach'], douglas: ['doug'], peter: ['pete'], gerald: ['jerry'], lawrence: ['larry'], bradley: ['brad'],
  philip: ['phil'], elizabeth: ['liz', 'beth', 'betty', 'lizzie'], patricia: ['pat', 'patty', 'trish'], jennifer: ['jen', 'jenny'],
  margaret: ['maggie', 'peggy', 'meg'], susan: ['sue', 'susie'], jessica: ['jess'], kimberly: ['kim'], deborah: ['debbie', 'deb'],
  rebecca: ['becky'], katherine: ['kate', 'katie', 'kathy'], catherine: ['cathy', 'kate'], christine: ['chris', 'tina'],
  samantha: ['sam'], victoria: ['vicky', 'tori'], abigail: ['abby'], alexandra: ['alex', 'sandra'], josephine: ['josie'],
  dmitry: ['dima'], sergei: ['sergey'], vladimir: ['vova', 'vlad'], mikhail: ['misha'], aleksei: ['alexey'], ekaterina: ['katya'],
  natalya: ['natasha'], tatiana: ['tanya'], francisco: ['paco'], manuel: ['manolo'], ignacio: ['nacho'], rafael: ['rafa'],
};
