"""Bad input raises ValueError with the command's message; failures raise RuntimeError; no
panic reaches Python; nothing is written on refusal."""

from __future__ import annotations

import pytest

import collapse


def command_error(cli, *args: str) -> str:
    """The message the command prints for a refused invocation (exit code 2)."""
    done = cli(*args)
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    text = done.stderr.strip()
    assert text.startswith("error: "), text
    return text[len("error: ") :]


@pytest.mark.parametrize(
    "name, value",
    [
        ("samples", 1),  # below the range
        ("samples", 2.5),  # not an integer
        ("real_fraction", 1.5),  # above the range
        ("sampler", "fast"),  # not one of the words
        ("no_such_parameter", 3),  # unknown
    ],
)
def test_a_bad_parameter_gets_the_commands_message(cli, tmp_path, name, value):
    expected = command_error(
        cli, "run", "gaussian-chain", "--set", f"{name}={value}", "--out", str(tmp_path / "c")
    )
    with pytest.raises(ValueError) as e:
        collapse.run("gaussian-chain", out=tmp_path / "p", **{name: value})
    assert str(e.value) == expected
    assert name in str(e.value)
    assert not (tmp_path / "p").exists() and not (tmp_path / "c").exists()


def test_a_bad_combination_gets_the_commands_message(cli):
    args = ["--set", "policy=accumulate-subsample", "--set", "sampler=exact"]
    expected = command_error(cli, "run", "gaussian-chain", *args)
    with pytest.raises(ValueError) as e:
        collapse.run("gaussian-chain", policy="accumulate-subsample", sampler="exact")
    assert str(e.value) == expected


def test_an_unknown_experiment_gets_the_commands_message(cli):
    expected = command_error(cli, "describe", "no-such-experiment")
    for call in (collapse.describe, collapse.run):
        with pytest.raises(ValueError) as e:
            call("no-such-experiment")
        assert str(e.value) == expected
        assert "gaussian-chain" in str(e.value)


def test_an_out_directory_in_use_is_refused_as_the_command_refuses_it(cli, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    expected = command_error(cli, "run", "gaussian-chain", "--out", str(tmp_path / "full"))
    with pytest.raises(ValueError) as e:
        collapse.run("gaussian-chain", out=tmp_path / "full")
    assert str(e.value) == expected
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize(
    "options, words",
    [
        (dict(threads=0), "threads: invalid value 0; expected an integer in [1, 1024]"),
        (dict(threads=2.0), "threads: invalid value 2.0; expected an integer in [1, 1024]"),
        (dict(seed=-1), "seed: invalid value -1; expected an integer in [0, 18446744073709551615]"),
        (dict(shard=(3, 3)), "shard: invalid value `3/3`; expected I/N with N >= 1 and 0 <= I < N"),
        (dict(shard="x"), "shard: invalid value `x`; expected I/N with N >= 1 and 0 <= I < N"),
        (dict(quantiles="some"), "quantiles: invalid value `some`; expected one of exact | none"),
        (dict(progress="yes"), "progress: invalid value 'yes'"),
    ],
)
def test_bad_options_name_the_option_the_value_and_the_range(options, words):
    with pytest.raises(ValueError) as e:
        collapse.run("gaussian-chain", **options)
    assert words in str(e.value)


def test_a_failed_run_raises_runtime_error_with_the_commands_message(cli, tmp_path):
    # The run directory's parent is a file: nothing can be written there (exit code 1).
    (tmp_path / "file").write_text("not a directory")
    target = tmp_path / "file" / "run"
    done = cli("run", "gaussian-chain", "--set", "replicates=4", "--out", str(target))
    assert done.returncode == 1, done.stderr
    with pytest.raises(RuntimeError) as e:
        collapse.run("gaussian-chain", replicates=4, out=target)
    assert str(e.value) == done.stderr.strip()[len("error: ") :]


def test_bad_check_and_figure_names_are_value_errors(cli):
    expected = command_error(cli, "verify", "--only", "no-such-check")
    with pytest.raises(ValueError) as e:
        collapse.verify(only="no-such-check")
    assert str(e.value) == expected.removeprefix("-" * 2)
    with pytest.raises(ValueError, match="unknown figure `nope`; figures: gaussian-variance-collapse"):
        collapse.figure("nope")
    with pytest.raises(ValueError, match="format: invalid value `jpeg`; expected one of svg | png"):
        collapse.figure("gaussian-variance-collapse", format="jpeg")


@pytest.mark.parametrize("place", ["here", "job"])
def test_a_panic_arrives_as_runtime_error(place):
    # PyO3 alone would raise its PanicException, which `except Exception` does not catch.
    with pytest.raises(RuntimeError, match="internal error in collapse.*a panic the tests asked for"):
        collapse._native._panic_for_tests(place)
    # The interpreter and the library go on.
    assert collapse.run("gaussian-chain", replicates=3, generations=2, records=False).summary
