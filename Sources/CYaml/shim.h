#ifndef MSVC_CYAML_SHIM_H
#define MSVC_CYAML_SHIM_H
#include <yaml.h>
#endif
