"""Discrete active inference on numpy arrays, with pymdp's formulas (cohort's C++, through Eigen).

    from cohort import active_inference as ai
    qs = ai.infer_states(A, B, C, prior, observation)   # A: (O, S); B: (S, S, U) as in pymdp
    G = ai.evaluate_policies(A, B, C, qs, length=2)     # one G per policy, first action major
    P = ai.action_marginal(ai.policy_posterior(G, 16.0), B.shape[2], 2)
"""

import numpy as np

from . import _cohort

_core = _cohort.active_inference

__all__ = ["infer_states", "predict_states", "evaluate_policies", "enumerate_policies",
           "policy_posterior", "action_marginal"]


def _actions(B):
    """pymdp's (S, S, U) transition array as one (S, S) matrix per action."""
    B = np.asarray(B, dtype=float)
    if B.ndim != 3:
        raise ValueError(f"B must have shape (S, S, U), got {B.shape}")
    return [np.ascontiguousarray(B[:, :, a]) for a in range(B.shape[2])]


def infer_states(A, B, C, prior, observation):
    """Posterior over states: softmax(ln(A[o] + 1e-16) + ln(prior + 1e-16))."""
    return _core.infer_states(np.asarray(A, float), _actions(B), np.asarray(C, float),
                              np.asarray(prior, float), int(observation))


def predict_states(A, B, C, qs, action):
    """B[:, :, action] @ qs."""
    return _core.predict_states(np.asarray(A, float), _actions(B), np.asarray(C, float),
                                np.asarray(qs, float), int(action))


def evaluate_policies(A, B, C, qs, length):
    """Expected free energy (higher is better) of every policy of `length` actions."""
    return _core.evaluate_policies(np.asarray(A, float), _actions(B), np.asarray(C, float),
                                   np.asarray(qs, float), int(length))


def enumerate_policies(actions, length):
    """Every policy, one per row, first action most significant."""
    return _core.enumerate_policies(int(actions), int(length))


def policy_posterior(G, gamma):
    """q(pi) = softmax(gamma G + ln E), E uniform."""
    return _core.policy_posterior(np.asarray(G, float), float(gamma))


def action_marginal(q_pi, actions, length):
    """P(a): q(pi) summed by first action."""
    return _core.action_marginal(np.asarray(q_pi, float), int(actions), int(length))
