/**
 * Given names that people use for one another: formal name first, then short forms, diminutives and spelling
 * variants, in ASCII after transliteration. Curated for this pack; a name may sit in several groups ("alex",
 * "chris"), and belonging to a shared group is what "nickname agrees" means. Keep entries lowercase.
 */
const GROUPS = `
abigail abby abbie gail
abraham abe bram
albert al bert bertie
alexander alex alec sasha sandy xander alexandr aleksandr
alexandra alex alexa lexi sandra sasha sandy
alfred alf alfie fred freddie
alice ally allie
allison ally allie alison
amanda mandy manda
andrew andy drew
angela angie
anthony tony antony
antonia toni
arthur art artie
barbara barb barbie babs
benjamin ben benny benji
bernard bernie
beverly bev beverley
bradley brad
catherine kate katie kathy cathy kat katherine kathryn katharine kathleen caitlin
charles charlie chuck chas chaz
charlotte lottie charlie
christina chris tina christine kristina kristin chrissy
christopher chris kit topher kristopher
cynthia cindy
daniel dan danny
david dave davey davy
deborah debbie deb debra
dennis denny
diana di diane
dominic dom nick dominick
donald don donnie
dorothy dot dottie
douglas doug
edward ed eddie ted teddy ned
elizabeth liz beth betty lizzie eliza libby bess betsy lisa elisabeth
eleanor ellie nora elle
emily em emmy
eugene gene
evelyn eve evie
francis frank frankie fran
frances fran frannie
frederick fred freddie freddy frederic
gabriel gabe
gabrielle gabby gabriella gabriela
gerald gerry jerry
gregory greg
harold harry hal
henry hank harry hal
isaac ike
jacob jake jakob
james jim jimmy jamie
janet jan
jeffrey jeff geoffrey geoff jeffery
jennifer jen jenny jenn
jessica jess jessie
john jon johnny jack
jonathan jon jonny jonathon
joseph joe joey
josephine jo josie
joshua josh
judith judy
julia julie
katrina kat trina
kenneth ken kenny
kimberly kim kimmy kimberley
lawrence larry laurence
leonard leo len lenny
louis lou louie lewis
margaret maggie meg peggy marge margie greta margo
martha marty mattie
martin marty
mary molly polly mae
matthew matt matty
melissa mel missy
michael mike mikey mick micky mickey
nancy nan
natalie nat
nathaniel nate nat nathan
nicholas nick nicky nico
nicole nikki nicky
oliver ollie olly
olivia liv livvy
pamela pam
patricia pat patty trish tricia
patrick pat paddy
peter pete
philip phil pip phillip
rebecca becky becca
richard rick ricky rich dick
robert rob bob bobby robbie bert
ronald ron ronnie
rose rosie
samantha sam sammy
samuel sam sammy
sarah sara sally sadie
stephen steve stevie steven stephan
susan sue susie suzanne susanna suzy
theodore ted teddy theo
thomas tom tommy thom
timothy tim timmy
valerie val
victoria vicky tori
vincent vince vinnie
virginia ginny
walter walt wally
william will bill billy willy liam
zachary zach zack zachery
aleksei alexey alexei lyosha alyosha
anastasia nastya
dmitry dmitri dmitriy dima mitya
ekaterina katya katia yekaterina
elena lena yelena
irina ira
maria masha mariya
mikhail misha
natalya natasha natalia
olga olya
sergei sergey seryozha
svetlana sveta
tatiana tanya tatyana
vladimir vova volodya vlad
yuri yura yury
wojciech wojtek
malgorzata gosia
magdalena magda
agnieszka aga
francesco checco
giuseppe peppe beppe pino
giuseppina giusy pina
dolores lola
manuel manolo manu
enrique quique
ignacio nacho
jose pepe
francisco paco pancho curro
guadalupe lupe
concepcion concha conchita
rafael rafa
johannes hannes hans
johanna hanna hanne
wolfgang wolf
`;

const index = new Map<string, number[]>();
GROUPS.trim().split('\n').forEach((line, group) => {
  for (const name of line.trim().split(/\s+/)) {
    const groups = index.get(name);
    if (!groups) index.set(name, [group]);
    else if (!groups.includes(group)) groups.push(group);
  }
});

/** The nickname groups a (folded) given name belongs to; empty when it is in none. */
export function nicknameGroups(name: string): readonly number[] {
  return index.get(name) ?? [];
}

/** True when the two names are different spellings or short forms of one name. */
export function nicknamesAgree(a: string, b: string): boolean {
  const ga = index.get(a);
  if (!ga) return false;
  const gb = index.get(b);
  if (!gb) return false;
  for (const g of ga) if (gb.includes(g)) return true;
  return false;
}

/** Blocking keys for a given name: its nickname groups, so "bill" and "william" land in one block. */
export function givenNameBlocks(name: string): readonly string[] {
  const groups = index.get(name);
  return groups ? groups.map((g) => `#${g}`) : [name];
}
