# mk/install.mk - `make install`, `make uninstall`.
# `make install [PREFIX=/usr/local] [DESTDIR=]`: the programs, the BPF object
# (for `bifrostctl reload --prog`; bifrostctl carries its own copy), man
# pages, an example config and the systemd units, their paths substituted
# from packaging/systemd/*.in. /etc is under DESTDIR, not PREFIX; the units go
# to /lib/systemd/system when PREFIX=/usr.
PREFIX     ?= /usr/local
DESTDIR    ?=
SBINDIR    := $(PREFIX)/sbin
BFLIBDIR   := $(PREFIX)/lib/bifrost
MANDIR     := $(PREFIX)/share/man
DOCDIR     := $(PREFIX)/share/doc/bifrost
SYSCONFDIR := /etc/bifrost
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
UNITS      := bifrost-attach@.service bifrost-host@.service
MAN8       := loader/bifrostctl.8 host-afxdp/bifrost-host.8
MAN5       := loader/bifrost.conf.5
EXAMPLE    := packaging/bifrost.conf.example
INSTALLED  := $(SBINDIR)/bifrostctl $(SBINDIR)/bifrost-host $(BFLIBDIR)/bifrost_xdp.bpf.o \
              $(addprefix $(MANDIR)/man8/,$(notdir $(MAN8))) $(MANDIR)/man5/$(notdir $(MAN5)) \
              $(DOCDIR)/bifrost.conf.example $(SYSCONFDIR)/bifrost.conf.example \
              $(addprefix $(UNITDIR)/,$(UNITS))

.PHONY: install uninstall
install: $(BUILD)/bifrostctl $(BUILD)/bifrost-host $(BPF_OBJ)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BFLIBDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR) $(DESTDIR)$(UNITDIR)
	install -m 755 $(BUILD)/bifrostctl $(BUILD)/bifrost-host $(DESTDIR)$(SBINDIR)/
	install -m 644 $(BPF_OBJ) $(DESTDIR)$(BFLIBDIR)/
	install -m 644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 644 $(EXAMPLE) $(DESTDIR)$(DOCDIR)/
	install -m 644 $(EXAMPLE) $(DESTDIR)$(SYSCONFDIR)/
	for u in $(UNITS); do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
			packaging/systemd/$$u.in > $(DESTDIR)$(UNITDIR)/$$u.tmp && \
		chmod 644 $(DESTDIR)$(UNITDIR)/$$u.tmp && \
		mv $(DESTDIR)$(UNITDIR)/$$u.tmp $(DESTDIR)$(UNITDIR)/$$u || exit 1; done

# Removes what install put there; an operator's /etc/bifrost/bifrost.conf stays.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(BFLIBDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR) 2>/dev/null
