/**
 * zod's mini API (`zod/mini`) is what every schema here is written in: the classic API puts about 65 KB more
 * in every Lambda bundle (issue 12, ADR 0011). Unlike the classic API, mini loads no messages by itself, so
 * every module that declares schemas imports this one for its side effect: the English messages the classic
 * API gave, in every bundle and test that parses.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());
