// libsndfile, for reading WAV, FLAC and OGG audio.
#ifndef LAYERSCOPE_CSNDFILE_SHIM_H
#define LAYERSCOPE_CSNDFILE_SHIM_H
#if !__has_include(<sndfile.h>)
#error "sndfile.h not found: install libsndfile (apt-get install libsndfile1-dev)"
#endif
#include <sndfile.h>
#endif
