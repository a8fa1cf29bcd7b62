"""The Agreement window (Tools ▸ Agreement…): choose, compute in the background, click through."""

from annotator.gui.agreement.window import AgreementWindow

__all__ = ["AgreementWindow"]
