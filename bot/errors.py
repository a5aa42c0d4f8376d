"""Named errors raised by the triage core. None of them is raised with ``assert``."""


class ZorgrouteError(Exception):
    """Base class of every error the triage core raises on purpose."""


class KnowledgeBaseError(ZorgrouteError):
    """The knowledge base in ``knowledge/`` is invalid.

    The message always names the file, the item (route, rule, fact, ...) and the problem.
    """

    def __init__(self, file: str, item: str, problem: str) -> None:
        self.file = file
        self.item = item
        self.problem = problem
        super().__init__(f"{file}: {item}: {problem}")


class SchemaError(KnowledgeBaseError):
    """A knowledge file does not have the expected shape (missing field, wrong type)."""


class UnknownRouteError(KnowledgeBaseError):
    """A rule or reference names a route id that is not declared in routes.yml."""


class UnknownFactError(KnowledgeBaseError):
    """A rule names a fact (or fact value) that is not declared in facts.yml."""


class MissingSourceError(KnowledgeBaseError):
    """A route, rule or deadline has no source, or cites a source not in sources.yml."""


class UnreachableRuleError(KnowledgeBaseError):
    """A rule can never fire because an earlier rule always matches first."""


class ConflictingRulesError(KnowledgeBaseError):
    """Two rules claim the same id or the same situation with different outcomes."""


class NoMatchingRuleError(ZorgrouteError):
    """No rule matched a category; a valid knowledge base makes this impossible."""


class DutchMessageError(ZorgrouteError):
    """An error people get to see: ``problem`` is a short code, ``dutch_message`` the Dutch text for them."""

    def __init__(self, problem: str, dutch_message: str) -> None:
        self.problem = problem
        self.dutch_message = dutch_message
        super().__init__(problem)


class InvalidInputError(DutchMessageError):
    """A message cannot be triaged; ``dutch_message`` tells the citizen why, in Dutch."""


class ModelNotFoundError(ZorgrouteError):
    """No trained Rasa model exists where one was expected."""


class ConfigurationError(ZorgrouteError):
    """A setting from the environment cannot be used; the message names the variable."""


class TicketError(DutchMessageError):
    """Base class of the handover/ticket errors; ``dutch_message`` is what staff or citizens read."""


class TicketNotFoundError(TicketError):
    """No ticket has the given reference."""


class InvalidStatusChangeError(TicketError):
    """A status change that the ticket workflow does not allow (or an unknown status)."""


class UnstorableTextError(TicketError):
    """A free-text field of a ticket holds a character no database can store (NUL)."""


class InvalidContactError(TicketError):
    """A phone number or e-mail address for the callback is not valid."""
