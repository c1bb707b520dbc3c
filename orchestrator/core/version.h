/*
 * version: the program's version, for `orchestrator --version` and the User-Agent of every
 * HTTP request (net/, aws/). Lives in core/ so library code never reaches up into cmd/.
 */
#ifndef ORC_VERSION_H
#define ORC_VERSION_H

#define ORC_VERSION "0.1.0"

#endif
