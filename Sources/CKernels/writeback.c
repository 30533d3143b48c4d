// sync_file_range needs _GNU_SOURCE, which Swift's Glibc module is not built with.
#define _GNU_SOURCE
#include "CKernels.h"
#include <fcntl.h>

int ls_start_writeback(int fd) {
#ifdef __linux__
    return sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
    return 0;
#endif
}
