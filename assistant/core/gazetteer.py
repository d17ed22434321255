"""Country names and their demonyms: how the answerer tells that a sentence names a country.

One line a country: its names and adjectives, separated by "|". A sentence names a country when it holds
any of them as whole words ("British" names the United Kingdom, "Thai" names Thailand).
"""

from __future__ import annotations

import re
from functools import cache

_COUNTRIES = """
Afghanistan|Afghan|Afghans
Albania|Albanian|Albanians
Algeria|Algerian|Algerians
Andorra|Andorran
Angola|Angolan|Angolans
Antigua|Barbuda
Argentina|Argentine|Argentinian|Argentines
Armenia|Armenian|Armenians
Australia|Australian|Australians
Austria|Austrian|Austrians
Azerbaijan|Azerbaijani|Azeri|Azerbaijanis
Bahamas|Bahamian
Bahrain|Bahraini
Bangladesh|Bangladeshi|Bangladeshis
Barbados|Barbadian
Belarus|Belarusian|Belarusians
Belgium|Belgian|Belgians
Belize|Belizean
Benin|Beninese
Bhutan|Bhutanese
Bolivia|Bolivian|Bolivians
Bosnia|Herzegovina|Bosnian|Bosnians
Botswana|Botswanan
Brazil|Brazilian|Brazilians
Brunei
Bulgaria|Bulgarian|Bulgarians
Burkina Faso|Burkinabe
Burundi|Burundian
Cambodia|Cambodian|Cambodians
Cameroon|Cameroonian
Canada|Canadian|Canadians
Cape Verde|Cabo Verde
Central African Republic
Chad|Chadian
Chile|Chilean|Chileans
China|Chinese|PRC
Colombia|Colombian|Colombians
Comoros
Congo|Congolese|DRC
Costa Rica|Costa Rican
Croatia|Croatian|Croatians|Croat|Croats
Cuba|Cuban|Cubans
Cyprus|Cypriot|Cypriots
Czech Republic|Czechia|Czech|Czechs
Denmark|Danish|Dane|Danes
Djibouti
Dominica|Dominican Republic|Dominican
Ecuador|Ecuadorian|Ecuadorean
Egypt|Egyptian|Egyptians
El Salvador|Salvadoran|Salvadorans
Equatorial Guinea
Eritrea|Eritrean|Eritreans
Estonia|Estonian|Estonians
Eswatini|Swaziland
Ethiopia|Ethiopian|Ethiopians
Fiji|Fijian|Fijians
Finland|Finnish|Finn|Finns
France|French
Gabon|Gabonese
Gambia|Gambian
Georgia|Georgian|Georgians
Germany|German|Germans
Ghana|Ghanaian|Ghanaians
Greece|Greek|Greeks
Grenada
Guatemala|Guatemalan|Guatemalans
Guinea|Guinean|Guinea-Bissau
Guyana|Guyanese
Haiti|Haitian|Haitians
Honduras|Honduran|Hondurans
Hungary|Hungarian|Hungarians
Iceland|Icelandic|Icelanders
India|Indian|Indians
Indonesia|Indonesian|Indonesians
Iran|Iranian|Iranians|Tehran
Iraq|Iraqi|Iraqis
Ireland|Irish
Israel|Israeli|Israelis
Italy|Italian|Italians
Ivory Coast|Côte d'Ivoire|Ivorian
Jamaica|Jamaican|Jamaicans
Japan|Japanese
Jordan|Jordanian|Jordanians
Kazakhstan|Kazakh|Kazakhs
Kenya|Kenyan|Kenyans
Kiribati
Kosovo|Kosovar|Kosovars
Kuwait|Kuwaiti|Kuwaitis
Kyrgyzstan|Kyrgyz
Laos|Lao|Laotian
Latvia|Latvian|Latvians
Lebanon|Lebanese
Lesotho
Liberia|Liberian|Liberians
Libya|Libyan|Libyans
Liechtenstein
Lithuania|Lithuanian|Lithuanians
Luxembourg
Madagascar|Malagasy
Malawi|Malawian
Malaysia|Malaysian|Malaysians
Maldives|Maldivian
Mali|Malian
Malta|Maltese
Marshall Islands
Mauritania|Mauritanian
Mauritius|Mauritian
Mexico|Mexican|Mexicans
Micronesia
Moldova|Moldovan|Moldovans
Monaco
Mongolia|Mongolian|Mongolians
Montenegro|Montenegrin
Morocco|Moroccan|Moroccans
Mozambique|Mozambican
Myanmar|Burma|Burmese
Namibia|Namibian
Nauru
Nepal|Nepali|Nepalese
Netherlands|Holland|Dutch
New Zealand|New Zealander|New Zealanders|Kiwi
Nicaragua|Nicaraguan|Nicaraguans
Niger|Nigerien
Nigeria|Nigerian|Nigerians
North Korea|North Korean|North Koreans|Pyongyang|DPRK
North Macedonia|Macedonia|Macedonian
Norway|Norwegian|Norwegians
Oman|Omani
Pakistan|Pakistani|Pakistanis
Palau
Palestine|Palestinian|Palestinians|Gaza|West Bank
Panama|Panamanian
Papua New Guinea
Paraguay|Paraguayan
Peru|Peruvian|Peruvians
Philippines|Filipino|Filipinos|Philippine
Poland|Polish|Pole|Poles
Portugal|Portuguese
Qatar|Qatari|Qataris
Romania|Romanian|Romanians
Russia|Russian|Russians|Kremlin|Moscow
Rwanda|Rwandan|Rwandans
Saint Lucia
Samoa|Samoan
San Marino
Saudi Arabia|Saudi|Saudis
Senegal|Senegalese
Serbia|Serbian|Serbians|Serb|Serbs
Seychelles
Sierra Leone
Singapore|Singaporean|Singaporeans
Slovakia|Slovak|Slovaks
Slovenia|Slovenian|Slovene
Solomon Islands
Somalia|Somali|Somalis
South Africa|South African|South Africans
South Korea|South Korean|South Koreans|Korea|Korean|Koreans|Seoul
South Sudan|South Sudanese
Spain|Spanish|Spaniard|Spaniards
Sri Lanka|Sri Lankan|Sri Lankans
Sudan|Sudanese
Suriname
Sweden|Swedish|Swede|Swedes
Switzerland|Swiss
Syria|Syrian|Syrians
Taiwan|Taiwanese
Tajikistan|Tajik
Tanzania|Tanzanian
Thailand|Thai|Thais
Timor-Leste|East Timor
Togo|Togolese
Tonga|Tongan
Trinidad|Tobago
Tunisia|Tunisian|Tunisians
Turkey|Türkiye|Turkish|Turks
Turkmenistan|Turkmen
Tuvalu
Uganda|Ugandan|Ugandans
Ukraine|Ukrainian|Ukrainians|Kyiv|Kiev
United Arab Emirates|UAE|Emirati|Emiratis
United Kingdom|UK|Britain|British|Britons|England|English|Scotland|Scottish|Wales|Welsh
United States|US|U.S.|USA|America|American|Americans
Uruguay|Uruguayan
Uzbekistan|Uzbek
Vanuatu
Vatican|Holy See
Venezuela|Venezuelan|Venezuelans
Vietnam|Vietnamese
Yemen|Yemeni|Yemenis
Zambia|Zambian
Zimbabwe|Zimbabwean|Zimbabweans
"""


def _lines() -> list[list[str]]:
    return [line.split("|") for line in _COUNTRIES.strip().splitlines()]


@cache
def _pattern() -> re.Pattern[str]:
    names = sorted({name for line in _lines() for name in line}, key=len, reverse=True)
    return re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in names) + r")(?![\w])")


@cache
def _country_of() -> dict[str, int]:
    return {name.lower(): i for i, line in enumerate(_lines()) for name in line}


def countries_in(text: str) -> set[int]:
    """The countries ``text`` names (as indices into the table), by name, adjective or capital metonym."""
    index = _country_of()
    return {index[m.group(1).lower()] for m in _pattern().finditer(text)}


def is_country_word(word: str) -> bool:
    return word.lower() in _country_of()


def without_countries(text: str) -> str:
    """``text`` with every country name, adjective and capital metonym blanked out."""
    return _pattern().sub(" ", text)
