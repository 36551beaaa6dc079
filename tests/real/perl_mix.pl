# tests/real/perl_mix.pl: a Perl program using hashes, regular expressions,
# sprintf and sort, printing only what is the same on every run. Run by
# tests/real/run.sh natively and in Skiff; the two outputs must be equal.
use strict;
use warnings;

my %count;
my $text = "the quick brown fox jumps over the lazy dog the end";
$count{$_}++ for split /\s+/, $text;
for my $w (sort { $count{$b} <=> $count{$a} || $a cmp $b } keys %count) {
	printf "%-6s %d\n", $w, $count{$w};
}

my @dates = ("2024-03-01", "1999-12-31", "2010-07-04");
for (sort @dates) {
	if (/^(\d{4})-(\d\d)-(\d\d)$/) {
		printf "date %s: year %d month %02d day %d\n", $_, $1, $2, $3;
	}
}
(my $s = "Hello, World") =~ tr/a-z/A-Z/;
print "tr: $s\n";
my $t = "a1b22c333";
(my $u = $t) =~ s/(\d+)/<$1>/g;
print "s///g: $u\n";
print "sprintf: ", sprintf("%5.2f|%-4s|%x|%o|%e", 3.14159, "ab", 255, 8, 12345.678), "\n";
my @nums = sort { $a <=> $b } (10, 2, 33, 4, 5);
print "numeric sort: @nums\n";
print "reverse sort: ", join(",", reverse sort qw(pear apple fig)), "\n";
my %h = (one => 1, two => 2, three => 3);
my $sum = 0;
$sum += $_ for values %h;
print "hash: ", scalar(keys %h), " keys, sum $sum\n";
print "join map: ", join(" ", map { $_ * $_ } grep { $_ % 2 } 1 .. 9), "\n";
my $line = <STDIN>;
chomp $line if defined $line;
print "stdin: ", defined $line ? $line : "(none)", "\n";
exit 5;
