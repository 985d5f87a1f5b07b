/** MTOM/XOP (multipart/related) reading and writing; see README.md in this folder. */
export * from './contentType';
export * from './reader';
export * from './writer';
