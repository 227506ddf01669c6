"""`cohort.active_inference` on numpy arrays against pymdp's formulas written out in numpy."""

import numpy as np
import pytest

from cohort import active_inference as ai

EPS = 1e-16


def softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


def random_model(rng, S=5, O=4, U=3):
    A = rng.random((O, S)) + 1e-3
    A /= A.sum(axis=0)
    B = rng.random((S, S, U))
    B /= B.sum(axis=0)
    C = rng.normal(size=O)
    return A, B, C


def pymdp_G(A, B, C, qs, policy):
    """pymdp's expected free energy of one policy (utility + state information gain)."""
    log_c = np.log(softmax(C) + EPS)
    cut = np.exp(-16.0)
    H = (A * np.log(A + cut)).sum(axis=0)
    G = 0.0
    for a in policy:
        qs = B[:, :, a] @ qs
        G += (A @ qs) @ log_c
        kept = np.where(qs > cut, qs, 0.0)
        qo = A @ kept
        G += H @ kept - qo @ np.log(qo + EPS)
    return G


def test_infer_states_is_the_softmax_of_log_likelihood_plus_log_prior():
    rng = np.random.default_rng(1)
    A, B, C = random_model(rng)
    prior = softmax(rng.normal(size=5))
    qs = ai.infer_states(A, B, C, prior, 2)
    expected = softmax(np.log(A[2] + EPS) + np.log(prior + EPS))
    np.testing.assert_allclose(qs, expected, rtol=1e-13)


def test_predict_states_applies_the_actions_transition_matrix():
    rng = np.random.default_rng(2)
    A, B, C = random_model(rng)
    qs = softmax(rng.normal(size=5))
    np.testing.assert_allclose(ai.predict_states(A, B, C, qs, 1), B[:, :, 1] @ qs, rtol=1e-14)


def test_G_of_every_two_step_policy_matches_pymdps_formula():
    rng = np.random.default_rng(3)
    A, B, C = random_model(rng)
    qs = softmax(rng.normal(size=5))
    G = ai.evaluate_policies(A, B, C, qs, 2)
    policies = ai.enumerate_policies(3, 2)
    assert policies.shape == (9, 2)
    expected = [pymdp_G(A, B, C, qs, p) for p in policies]
    np.testing.assert_allclose(G, expected, rtol=1e-12)


def test_the_action_marginal_sums_the_posterior_by_first_action():
    G = np.array([0.5, -1.0, 2.0, 0.0])
    q_pi = ai.policy_posterior(G, 2.0)
    np.testing.assert_allclose(q_pi, softmax(2.0 * G), rtol=1e-14)
    P = ai.action_marginal(q_pi, 2, 2)
    np.testing.assert_allclose(P, [q_pi[0] + q_pi[1], q_pi[2] + q_pi[3]], rtol=1e-14)


def test_a_transition_array_of_the_wrong_shape_is_refused():
    rng = np.random.default_rng(4)
    A, B, C = random_model(rng)
    with pytest.raises(ValueError, match="B\\[0\\] is 4 x 4; A has 5 states"):
        ai.infer_states(A, B[:4, :4, :], C, np.full(5, 0.2), 0)
