/*
 * Linux x86_64 structures and constants the non-file syscalls exchange with
 * the program (uapi facts from the man pages). Layer: Linux ABI.
 */
#ifndef LINUX_ABI_H
#define LINUX_ABI_H

#include <skiff/types.h>

struct linux_timespec {
	s64 tv_sec;
	s64 tv_nsec;
};

struct linux_timeval {
	s64 tv_sec;
	s64 tv_usec;
};

/* struct rusage: getrusage, wait4. */
struct linux_rusage {
	struct linux_timeval utime, stime;
	s64 maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock,
		oublock, msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};

/* uname(2)'s strings: UTS_* in skiff/kernel.h. */

struct linux_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65],
		domainname[65];
};

struct linux_rlimit {
	u64 cur, max;
};

struct linux_sysinfo {
	s64 uptime;
	u64 loads[3];
	u64 totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	u16 procs, pad;
	u64 totalhigh, freehigh;
	u32 mem_unit;
	char reserved[4];
};

struct linux_sigaction {
	u64 handler;
	u64 flags;
	u64 restorer;
	u64 mask;
};

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x100
#define MAP_DENYWRITE 0x800
#define MAP_EXECUTABLE 0x1000
#define MAP_LOCKED 0x2000
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_NONBLOCK 0x10000
#define MAP_STACK 0x20000
#define MAP_HUGETLB 0x40000
#define MAP_FIXED_NOREPLACE 0x100000

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4

#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_NOFILE 7
#define RLIM_NLIMITS 16
#define RLIM_INFINITY (~0ull)

#define NSIG 64

/* siginfo_t: 128 bytes; the union's layouts we fill. */
struct linux_siginfo {
	s32 signo, err, code, pad;
	union {
		u64 addr;                                /* faults */
		struct { s32 pid; u32 uid; } kill;       /* kill, tgkill, queue */
		struct { s32 tid, overrun; u64 value; } timer;
		struct { s32 pid; u32 uid; s32 status, pad; s64 utime, stime; }
			chld;                            /* SIGCHLD, waitid */
		u8 raw[112];
	};
};
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo_t");

/* stack_t, struct sigcontext and ucontext: struct sig_stack, sig_context and
 * sig_ucontext of skiff/frame.h (the layout is the architecture's). */

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGWINCH 28
#define SIGSYS 31

#define SA_NOCLDSTOP 0x1
#define SA_NOCLDWAIT 0x2
#define SA_SIGINFO 0x4
#define SA_RESTORER 0x04000000
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000u

#define SIG_DFL 0
#define SIG_IGN 1

#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ 2048

#define SI_USER 0
#define SI_TKILL (-6)
#define SI_TIMER (-2)
#define SI_QUEUE (-1)
#define SI_KERNEL 0x80
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

static inline u64 sigbit(int sig)
{
	return 1ull << (sig - 1);
}

#endif
