"""Core: base model and mixins, i18n, permissions, audit, mail outbox, and the pages
that belong to no domain (home, health, errors). Its blueprint lives in
``core.views`` because everything else imports ``core`` first."""
