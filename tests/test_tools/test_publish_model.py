"""tools/model_converters/publish_model.py: its command line, whose
``--check`` line tools/run_main_job.sh reads (the publishing itself:
tests/test_conversion/test_publish.py)."""
from tests.test_conversion.test_publish import damage, training_checkpoint
from tests.test_tools.tool_runner import assert_one_paragraph_error, run_tool

TOOL = 'model_converters/publish_model.py'


def test_publishes_then_checks_a_checkpoint(tmp_path):
    src = str(tmp_path / 'epoch_12.pth')
    training_checkpoint(src)
    result = run_tool(TOOL, src, tmp_path / 'zoo' / 'twin.pth', cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    (final, ) = (tmp_path / 'zoo').iterdir()
    sha = result.stdout.split('(sha256 ')[1].split(')')[0]
    assert result.stdout == f'published {src} as {final} (sha256 {sha})\n'
    result = run_tool(TOOL, '--check', final, cwd=tmp_path)
    assert result.stdout == (
        f'{final}: bytes match its name (sha256 {sha}); trained for seed 0, '
        '12 epochs\n')
    damage(final)
    assert_one_paragraph_error(run_tool(TOOL, '--check', final, cwd=tmp_path),
                               str(final), 'changed or damaged')
    result = run_tool(TOOL, '--check', final, src, cwd=tmp_path)
    assert result.returncode == 2
    assert 'give IN_FILE OUT_FILE, or --check FILE' in result.stderr
