/** Continent codes as GeoIP databases use them, lower-case as the API takes them. */
export const CONTINENTS = ['af', 'an', 'as', 'eu', 'na', 'oc', 'sa'] as const;
export type Continent = (typeof CONTINENTS)[number];
