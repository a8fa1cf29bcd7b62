"""StepSize: a long document's loading steps are sized by what the last one cost, so each
blocks the event loop about STEP_SECONDS: fewer items on a slow (loaded) machine, more on a
fast one, within MIN_STEP and CHUNK, growing at most twofold a step."""

from __future__ import annotations

from annotator.gui.document_content import CHUNK, MIN_STEP, STEP_SECONDS, StepSize


def test_a_slow_step_makes_the_next_smaller() -> None:
    step = StepSize(1000)
    step.measured(1000, STEP_SECONDS * 4)  # four times too long
    assert step.size == 250


def test_a_fast_step_grows_at_most_twofold_and_never_past_chunk() -> None:
    step = StepSize(200)
    step.measured(200, STEP_SECONDS / 100)
    assert step.size == 400
    for _ in range(10):
        step.measured(step.size, STEP_SECONDS / 100)
    assert step.size == CHUNK


def test_the_size_stays_at_least_min_step_and_ignores_empty_steps() -> None:
    step = StepSize(200)
    step.measured(200, 10.0)  # a pause of the whole machine
    assert step.size == MIN_STEP
    step.measured(0, 1.0)
    step.measured(100, 0.0)
    assert step.size == MIN_STEP
