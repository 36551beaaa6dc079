/* Private to fs/procfs/: what pid.c and pidstat.c share. */
#ifndef FS_PROCFS_PID_H
#define FS_PROCFS_PID_H

#include <skiff/process.h>
#include <skiff/types.h>

struct pbuf;

/* A copy of what /proc shows of a thread, and of the thread count. */
struct proc_thread {
	bool found;
	int tid;
	char name[16];
	bool running;
	struct process_sig_summary sig; /* its signal sets (the ABI layer's) */
	int threads;		/* live threads of its process */
	int all_threads;	/* live program threads of every process */
	int max_tid;
};
/* The process an entry's arg names (a pid, a tid; 0: the caller's), with a
 * reference (process_put), or NULL. */
struct process *proc_process(long arg);
/* Whether that process is the caller's. */
bool proc_is_self(long arg);
/* The address space of the entry's process, with a reference
 * (vm_space_put), or NULL for a zombie. */
struct vm_space *proc_vm_get(long arg);
/* Fills *out for thread tid, or for the first live thread of the process
 * arg names when it is a pid without that thread; false if none. */
bool proc_thread_info(long tid, struct proc_thread *out);
/* The path of the program of the entry's process (exec), copied into buf
 * (not NUL-terminated, cut at size): its length, or -ENOENT (a zombie). */
long proc_exe_path(long arg, char *buf, size_t size);

/* pidstat.c */
int proc_show_status(struct pbuf *b, long arg);
int proc_show_stat(struct pbuf *b, long arg);
int proc_show_statm(struct pbuf *b, long arg);
int proc_show_maps(struct pbuf *b, long arg);
int proc_show_mountinfo(struct pbuf *b, long arg);

#endif
