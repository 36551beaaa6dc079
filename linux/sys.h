/*
 * The Linux system call entries (linux/). Each sys_<name> keeps Linux's
 * argument order, validates every argument, calls the subsystem that does
 * the work, and returns a value or a negative errno.
 *
 * linux/table.c maps numbers to these functions. An entry whose function is
 * not linked in returns -ENOSYS (and its name is logged once with verbose).
 */
#ifndef LINUX_SYS_H
#define LINUX_SYS_H

#include <skiff/types.h>

struct iovec;
struct linux_stat;
struct linux_statx;
struct linux_timespec;
struct linux_timeval;
struct linux_utsname;
struct linux_rlimit;
struct linux_sysinfo;
struct linux_sigaction;
struct linux_statfs;

/* linux/file.c, fd.c, stat.c, dir.c, sendfile.c, splice.c, poll.c: files (fs/) */
long sys_read(int fd, void *buf, size_t count);
long sys_write(int fd, const void *buf, size_t count);
long sys_readv(int fd, const struct iovec *iov, int iovcnt);
long sys_writev(int fd, const struct iovec *iov, int iovcnt);
long sys_pread64(int fd, void *buf, size_t count, s64 off);
long sys_pwrite64(int fd, const void *buf, size_t count, s64 off);
long sys_open(const char *path, int flags, int mode);
long sys_openat(int dirfd, const char *path, int flags, int mode);
long sys_creat(const char *path, int mode);
long sys_close(int fd);
long sys_lseek(int fd, s64 off, int whence);
long sys_stat(const char *path, struct linux_stat *st);
long sys_fstat(int fd, struct linux_stat *st);
long sys_lstat(const char *path, struct linux_stat *st);
long sys_newfstatat(int dirfd, const char *path, struct linux_stat *st, int flags);
long sys_statx(int dirfd, const char *path, int flags, unsigned mask, struct linux_statx *stx);
long sys_getdents64(int fd, void *dirp, size_t count);
long sys_mkdir(const char *path, int mode);
long sys_mkdirat(int dirfd, const char *path, int mode);
long sys_rmdir(const char *path);
long sys_unlink(const char *path);
long sys_unlinkat(int dirfd, const char *path, int flags);
long sys_rename(const char *oldpath, const char *newpath);
long sys_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);
long sys_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned flags);
long sys_ioctl(int fd, unsigned long req, unsigned long arg);
long sys_fcntl(int fd, int cmd, unsigned long arg);
long sys_dup(int fd);
long sys_dup2(int oldfd, int newfd);
long sys_dup3(int oldfd, int newfd, int flags);
long sys_pipe(int *fds);
long sys_pipe2(int *fds, int flags);
long sys_getcwd(char *buf, size_t size);
long sys_chdir(const char *path);
long sys_fchdir(int fd);
long sys_access(const char *path, int mode);
long sys_faccessat(int dirfd, const char *path, int mode);
long sys_faccessat2(int dirfd, const char *path, int mode, int flags);
long sys_readlink(const char *path, char *buf, size_t size);
long sys_readlinkat(int dirfd, const char *path, char *buf, size_t size);
long sys_symlink(const char *target, const char *linkpath);
long sys_symlinkat(const char *target, int dirfd, const char *linkpath);
long sys_link(const char *oldpath, const char *newpath);
long sys_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags);
long sys_umask(int mask);
long sys_truncate(const char *path, s64 len);
long sys_ftruncate(int fd, s64 len);
long sys_fsync(int fd);
long sys_fdatasync(int fd);
long sys_sync(void);
long sys_syncfs(int fd);
long sys_chmod(const char *path, int mode);
long sys_fchmod(int fd, int mode);
long sys_fchmodat(int dirfd, const char *path, int mode);
long sys_utimensat(int dirfd, const char *path, const struct linux_timespec *times, int flags);
long sys_close_range(unsigned first, unsigned last, unsigned flags);
long sys_statfs(const char *path, struct linux_statfs *buf);
long sys_fstatfs(int fd, struct linux_statfs *buf);
long sys_chown(const char *path, int uid, int gid);
long sys_lchown(const char *path, int uid, int gid);
long sys_fchown(int fd, int uid, int gid);
long sys_fchownat(int dirfd, const char *path, int uid, int gid, int flags);
long sys_mknod(const char *path, int mode, unsigned dev);
long sys_mknodat(int dirfd, const char *path, int mode, unsigned dev);
long sys_preadv(int fd, const struct iovec *iov, int iovcnt, s64 pos_l, s64 pos_h);
long sys_pwritev(int fd, const struct iovec *iov, int iovcnt, s64 pos_l, s64 pos_h);
long sys_fallocate(int fd, int mode, s64 off, s64 len);
long sys_fadvise64(int fd, s64 off, s64 len, int advice);
long sys_flock(int fd, unsigned cmd);
/* linux/socket.c: readv/writev of a socket, one message (file.c) */
struct file;
long socket_iov_rw(struct file *f, const struct iovec *iov, int cnt, bool write);
long sys_sendfile(int out_fd, int in_fd, s64 *off, size_t count);
long sys_copy_file_range(int fd_in, s64 *off_in, int fd_out, s64 *off_out, size_t len, unsigned flags);
long sys_splice(int fd_in, s64 *off_in, int fd_out, s64 *off_out, size_t len, unsigned flags);
long sys_tee(int fd_in, int fd_out, size_t len, unsigned flags);

/* linux/poll.c */
struct linux_pollfd;
long sys_poll(struct linux_pollfd *fds, unsigned nfds, int timeout);
long sys_ppoll(struct linux_pollfd *fds, unsigned nfds, struct linux_timespec *tsp, const u64 *sigmask, size_t sigsetsize);
long sys_select(int n, u64 *inp, u64 *outp, u64 *exp, struct linux_timeval *tvp);
long sys_pselect6(int n, u64 *inp, u64 *outp, u64 *exp, struct linux_timespec *tsp, const void *sig);

/* linux/epoll.c, events.c, signalfd.c: event files (fs/eventpoll.c & co.) */
struct linux_epoll_event;
struct linux_itimerspec;
long sys_epoll_create(int size);
long sys_epoll_create1(int flags);
long sys_epoll_ctl(int epfd, int op, int fd, struct linux_epoll_event *ev);
long sys_epoll_wait(int epfd, struct linux_epoll_event *ev, int max, int timeout);
long sys_epoll_pwait(int epfd, struct linux_epoll_event *ev, int max, int timeout, const u64 *sigmask, size_t sigsetsize);
long sys_epoll_pwait2(int epfd, struct linux_epoll_event *ev, int max, const struct linux_timespec *timeout, const u64 *sigmask, size_t sigsetsize);
long sys_eventfd(unsigned initval);
long sys_eventfd2(unsigned initval, int flags);
long sys_timerfd_create(int clk, int flags);
long sys_timerfd_settime(int fd, int flags, const struct linux_itimerspec *new, struct linux_itimerspec *old);
long sys_timerfd_gettime(int fd, struct linux_itimerspec *cur);
long sys_signalfd(int fd, const u64 *mask, size_t sizemask);
long sys_signalfd4(int fd, const u64 *mask, size_t sizemask, int flags);

/* linux/mm.c: memory (mm/) */
long sys_brk(unsigned long addr);
long sys_mmap(unsigned long addr, size_t len, int prot, int flags, int fd, s64 off);
long sys_munmap(unsigned long addr, size_t len);
long sys_mprotect(unsigned long addr, size_t len, int prot);
long sys_mremap(unsigned long old, size_t oldlen, size_t newlen, int flags, unsigned long new);
long sys_madvise(unsigned long addr, size_t len, int advice);

/* linux/execve.c: a new program for the process */
long sys_execve(const char *path, char *const argv[], char *const envp[]);
long sys_execveat(int dirfd, const char *path, char *const argv[],
		  char *const envp[], int flags);

/* linux/thread.c: threads and the process (sched/) */
long sys_arch_prctl(int code, unsigned long addr);
long sys_set_tid_address(int *tidptr);
long sys_set_robust_list(void *head, size_t len);
long sys_rseq(void *rseq, u32 len, int flags, u32 sig);
long sys_exit(int status);
long sys_exit_group(int status);
long sys_getpid(void);
long sys_gettid(void);
long sys_getppid(void);
/* linux/fork.c, wait.c, pgrp.c: processes (sched/'s tree) */
long sys_fork(void);
long sys_vfork(void);
struct linux_rusage;
struct linux_siginfo;
long sys_wait4(int pid, int *wstatus, int options, struct linux_rusage *ru);
long sys_waitid(int idtype, int id, struct linux_siginfo *infop, int options,
		struct linux_rusage *ru);
long sys_getpgid(int pid);
long sys_getpgrp(void);
long sys_getsid(int pid);
long sys_setpgid(int pid, int pgid);
long sys_setsid(void);
long sys_getuid(void);
long sys_geteuid(void);
long sys_getgid(void);
long sys_getegid(void);
long sys_sched_getaffinity(int pid, size_t len, unsigned long *mask);
long sys_sched_yield(void);

/* linux/time.c: clocks and sleeping */
long sys_clock_gettime(int clk, struct linux_timespec *ts);
long sys_clock_getres(int clk, struct linux_timespec *ts);
long sys_gettimeofday(struct linux_timeval *tv, void *tz);
long sys_time(s64 *t);
long sys_getcpu(unsigned *cpu, unsigned *node, void *cache);
long sys_nanosleep(const struct linux_timespec *req, struct linux_timespec *rem);
long sys_clock_nanosleep(int clk, int flags, const struct linux_timespec *req, struct linux_timespec *rem);

/* linux/misc.c: the rest */
long sys_uname(struct linux_utsname *buf);
long sys_getrandom(void *buf, size_t len, unsigned flags);
long sys_prlimit64(int pid, int res, const struct linux_rlimit *newl, struct linux_rlimit *oldl);
long sys_getrlimit(int res, struct linux_rlimit *rl);
long sys_sysinfo(struct linux_sysinfo *info);

/* linux/signal.c */
long sys_rt_sigaction(int sig, const struct linux_sigaction *act, struct linux_sigaction *old, size_t setsize);
long sys_rt_sigprocmask(int how, const u64 *set, u64 *old, size_t setsize);

#endif
