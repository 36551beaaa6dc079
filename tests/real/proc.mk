# tests/real/proc.mk: a small Makefile run by tests/real/run.sh (case make)
# natively and in Skiff: recipes make runs directly (echo) and through
# /bin/sh (redirections, pipelines), a file target and its dependent,
# $(shell ...), a recursive make.
VAR := $(shell echo shell-func | tr a-z A-Z)

all: hello count show sub

hello:
	@echo "hello from make"
	echo "an echoed command"

n.txt:
	seq 1 20 > $@

count: n.txt
	wc -l < n.txt
	cat n.txt | tr 0-9 a-j | sort | head -n 3

show:
	@echo "VAR is $(VAR)"

sub:
	@$(MAKE) -s --no-print-directory -f $(firstword $(MAKEFILE_LIST)) show

.PHONY: all hello count show sub
