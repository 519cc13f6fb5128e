"""What ``check`` returns: a :class:`Report` holding :class:`Finding` objects, as text and as HTML."""

import html
from dataclasses import dataclass, field

from rnnreg.exercises.catalogue import FINDING_ORDER, GENERAL, MISCONCEPTIONS


@dataclass(frozen=True)
class Finding:
    """One mistake found: its catalogue ``id``, ``title`` and ``hint``, and the ``evidence`` (the numbers)."""

    id: str
    title: str
    hint: str
    evidence: str

    @classmethod
    def of(cls, identifier, evidence):
        """The finding ``identifier`` (a key of ``GENERAL`` or ``MISCONCEPTIONS``) with its catalogue text."""
        entry = GENERAL.get(identifier) or MISCONCEPTIONS[identifier]
        return cls(identifier, entry.title, entry.hint, evidence)


@dataclass
class Report:
    """The result of ``check(topic, candidate_class)``.

    Attributes
    ----------
    topic : str
    candidate : str
        The candidate class's name.
    findings : list of Finding
        The mistakes found, most fundamental first (the catalogue's order); empty when the class passed.
    """

    topic: str
    candidate: str
    findings: list = field(default_factory=list)

    def __post_init__(self):
        self.findings = sorted(self.findings, key=lambda finding: FINDING_ORDER[finding.id])

    @property
    def passed(self):
        """True exactly when there are no findings."""
        return not self.findings

    def __str__(self):
        if self.passed:
            return f"{self.candidate} passed every check of topic {self.topic!r}."
        lines = [f"{self.candidate} ({self.topic}): {len(self.findings)} finding(s)"]
        for number, finding in enumerate(self.findings, start=1):
            lines += [
                f"{number}. [{finding.id}] {finding.title}",
                f"   hint: {finding.hint}",
                f"   evidence: {finding.evidence}",
            ]
        return "\n".join(lines)

    def _repr_html_(self):
        name, topic = html.escape(self.candidate), html.escape(self.topic)
        if self.passed:
            return (
                '<div style="border-left:6px solid #1a7f37;padding:6px 10px;background:#dafbe1;color:#0a3622">'
                f"<b>{name}</b> passed every check of topic <code>{topic}</code>.</div>"
            )
        items = "".join(
            f"<li><b>{html.escape(finding.title)}</b> <code>{html.escape(finding.id)}</code><br>"
            f"<i>Hint:</i> {html.escape(finding.hint)}<br>"
            f'<span style="font-family:monospace;font-size:90%">{html.escape(finding.evidence)}</span></li>'
            for finding in self.findings
        )
        return (
            '<div style="border-left:6px solid #cf222e;padding:6px 10px;background:#ffebe9;color:#4c0519">'
            f"<b>{name}</b> ({topic}): {len(self.findings)} finding(s), most fundamental first"
            f"<ol>{items}</ol></div>"
        )
