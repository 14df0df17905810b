"""mmsnn.analysis.paper_comparisons.claims: the claims' logic on
constructed results."""
from mmsnn.analysis.paper_comparisons import claims, fmt_map, mean_std


def test_claims_follow_the_numbers():
    def entry(t, maps, energy):
        return dict(best=maps, time_steps=t, ops=dict(energy_45nm_j=energy))

    summary = {
        'SG+CMD T=4': entry(4, [0.60, 0.62, 0.61], 3e-5),
        'SG+CMD T=6': entry(6, [0.58, 0.59, 0.57], 4e-5),
        'SG+rate T=6': entry(6, [0.50, 0.52, 0.51], 4e-5),
    }
    conversion = dict(results=[
        dict(time_steps=8, map=0.1, energy_45nm_j=1e-5),
        dict(time_steps=512, map=0.55, energy_45nm_j=9e-4),
        dict(time_steps=1024, map=0.63, energy_45nm_j=2e-3)])
    got = {c['claim']: c for c in claims(summary, conversion)}
    cmd, t6, conv = (got[k] for k in got)
    assert cmd['holds'] and '58.00' in cmd['numbers']
    assert not t6['holds']  # T=6 below T=4 here
    # SG+CMD T=4 (61.0) is below the conversion at T=1024 (63.0)
    assert not conv['holds'] and 'T=1024' in conv['numbers']
    assert 'T=8' not in conv['numbers']  # only hundreds of steps and more
    assert 'the conversion scores higher' in conv['numbers']
    assert 'it uses less energy than each' in conv['numbers']
    # beside it, the conversion at the SG run's energy (3e-5 J: T=512)
    assert conv['note'].startswith("the conversion's first T that spends "
                                   'at least that energy (T=512, 900 uJ) '
                                   'scores 55.00')
    mean, std = mean_std([0.5, 0.7])
    assert abs(mean - 0.6) < 1e-12 and abs(std - 0.1414213) < 1e-6


def test_maps_as_percent_with_their_spread():
    assert fmt_map([0.5]) == '50.00'
    assert fmt_map([0.5, 0.7]) == '60.00 ± 14.14'
