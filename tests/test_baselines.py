"""The convex baselines reach one certified optimum from any start, checked independently.

Every optimality check here recomputes what it needs from the formulas (primal objective,
SVM dual objective, logistic gradient) instead of trusting the estimator's own attributes,
and each one is shown to *fail* on a slightly perturbed solution.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lesson_code.baselines import ConvergenceWarning, LinearSVM, LogisticRegression, NotFittedError

LAM = 0.02
N_STARTS = 5


# --------------------------------------------------------------------------------------
# Data and independent formulas
# --------------------------------------------------------------------------------------


def _overlapping_data(n: int = 300, d: int = 5, seed: int = 12345) -> tuple[np.ndarray, np.ndarray]:
    """Noisy, unstandardised features and {0, 1} labels; rows 0 and 1 coincide with different
    labels, so no hyperplane separates the classes."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 3.0, size=d) + rng.normal(size=d)
    y = (X @ rng.normal(size=d) + 0.5 + 1.5 * rng.normal(size=n) > 0).astype(int)
    X[1] = X[0]
    y[0], y[1] = 0, 1
    return X, y


def _blobs(n: int = 200, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Two well-separated Gaussian blobs in 2-D with string labels."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(size=(n // 2, 2)) + [3.0, 3.0], rng.normal(size=(n // 2, 2)) - [3.0, 3.0]])
    y = np.array(["red"] * (n // 2) + ["blue"] * (n // 2))
    return X, y


def _starts(d: int) -> list[tuple[np.ndarray | None, float]]:
    """Zero, plus four far-away random starts: N(0, 10^2) coefficients and intercepts."""
    starts: list[tuple[np.ndarray | None, float]] = [(None, 0.0)]
    for seed in range(1, N_STARTS):
        rng = np.random.default_rng(seed)
        starts.append((rng.normal(scale=10.0, size=d), float(rng.normal(scale=10.0))))
    return starts


def _signs(y: np.ndarray, positive: object) -> np.ndarray:
    return np.where(y == positive, 1.0, -1.0)


def _svm_primal(w: np.ndarray, b: float, X: np.ndarray, s: np.ndarray, lam: float) -> float:
    return float(lam / 2 * w @ w + np.mean(np.maximum(0.0, 1.0 - s * (X @ w + b))))


def _svm_dual(alpha: np.ndarray, X: np.ndarray, s: np.ndarray, lam: float) -> float:
    v = X.T @ (alpha * s)
    return float(alpha.sum() - v @ v / (2 * lam))


def _logistic_primal(w: np.ndarray, b: float, X: np.ndarray, s: np.ndarray, lam: float) -> float:
    return float(lam / 2 * w @ w + np.mean(np.logaddexp(0.0, -s * (X @ w + b))))


def _logistic_gradient(w: np.ndarray, b: float, X: np.ndarray, s: np.ndarray, lam: float) -> np.ndarray:
    weights = s / (1.0 + np.exp(s * (X @ w + b)))  # s_i sigma(-m_i)
    return np.append(lam * w - X.T @ weights / len(s), -weights.mean())


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    return _overlapping_data()


@pytest.fixture(scope="module")
def svm_fits(data: tuple[np.ndarray, np.ndarray]) -> list[LinearSVM]:
    X, y = data
    return [
        LinearSVM(lam=LAM).fit(X, y, initial_coef=coef, initial_intercept=b0) for coef, b0 in _starts(X.shape[1])
    ]


@pytest.fixture(scope="module")
def logistic_fits(data: tuple[np.ndarray, np.ndarray]) -> list[LogisticRegression]:
    X, y = data
    return [
        LogisticRegression(lam=LAM).fit(X, y, initial_coef=coef, initial_intercept=b0)
        for coef, b0 in _starts(X.shape[1])
    ]


# --------------------------------------------------------------------------------------
# One optimum from every start
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fits_name", ["svm_fits", "logistic_fits"])
def test_starts_are_really_different(fits_name: str, data, request) -> None:
    """The starting point is used: each history begins at F(start), recomputed here."""
    X, y = data
    fits = request.getfixturevalue(fits_name)
    primal = _svm_primal if fits_name == "svm_fits" else _logistic_primal
    s = _signs(y, 1)
    for model, (coef, b0) in zip(fits, _starts(X.shape[1]), strict=True):
        coef = np.zeros(X.shape[1]) if coef is None else coef
        assert model.objective_history_[0] == pytest.approx(primal(coef, b0, X, s, LAM), rel=1e-12)
        assert model.objective_history_[-1] == model.objective_
    first_values = [model.objective_history_[0] for model in fits]
    assert max(first_values) > 10 * min(first_values)  # the far starts are far


@pytest.mark.parametrize("fits_name", ["svm_fits", "logistic_fits"])
def test_five_starts_reach_the_same_optimum(fits_name: str, request) -> None:
    fits = request.getfixturevalue(fits_name)
    values = np.array([model.objective_ for model in fits])
    assert np.ptp(values) <= 1e-9 * values.min()
    coefs = np.array([model.coef_ for model in fits])
    intercepts = np.array([model.intercept_ for model in fits])
    assert np.ptp(coefs, axis=0).max() <= 1e-6
    assert np.ptp(intercepts) <= 1e-6


@pytest.mark.parametrize("fits_name", ["svm_fits", "logistic_fits"])
def test_reported_objective_is_the_objective(fits_name: str, data, request) -> None:
    X, y = data
    primal = _svm_primal if fits_name == "svm_fits" else _logistic_primal
    for model in request.getfixturevalue(fits_name):
        expected = primal(model.coef_, model.intercept_, X, _signs(y, 1), LAM)
        assert model.objective_ == pytest.approx(expected, rel=1e-12)
        assert model.objective(X, y) == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------------------
# SVM: independent optimality certificates
# --------------------------------------------------------------------------------------


def _svm_certificate_gap(model: LinearSVM, X: np.ndarray, y: np.ndarray) -> float:
    """F(w, b) - D(alpha) from scratch, after checking that alpha is dual feasible."""
    n = len(y)
    s = _signs(y, model.classes_[1])
    alpha = model.alpha_
    assert alpha.shape == (n,)
    assert alpha.min() >= 0.0 and alpha.max() <= 1.0 / n
    assert abs(alpha @ s) <= 1e-14
    return _svm_primal(model.coef_, model.intercept_, X, s, LAM) - _svm_dual(alpha, X, s, LAM)


def test_svm_duality_gap_certifies_the_optimum(svm_fits, data) -> None:
    X, y = data
    for model in svm_fits:
        gap = _svm_certificate_gap(model, X, y)
        assert -1e-14 <= gap <= 1e-10 * model.objective_
        assert model.duality_gap_ == pytest.approx(gap, abs=1e-14)
        assert model.dual_objective_ == pytest.approx(model.objective_ - gap, rel=1e-12)


def test_svm_certificate_detects_a_suboptimal_point(svm_fits, data) -> None:
    """The same check on a point moved by 1e-4 fails, so the check above has teeth."""
    X, y = data
    model = svm_fits[0]
    moved = LinearSVM(lam=LAM).fit(X, y)
    moved.coef_ = model.coef_ + 1e-4 * np.random.default_rng(0).normal(size=model.coef_.shape)
    assert _svm_certificate_gap(moved, X, y) > 1e-8 * model.objective_


def test_svm_subgradient_optimality_condition(svm_fits, data) -> None:
    """0 is in the subdifferential of F at (w, b), with n alpha_i as the hinge subgradients.

    d/dz max(0, z) is 1 for z > 0, 0 for z < 0 and anything in [0, 1] at 0, so (w, b) is
    optimal iff some beta_i in that set gives lam w = (1/n) sum beta_i s_i x_i and
    sum beta_i s_i = 0.
    """
    X, y = data
    n = len(y)
    s = _signs(y, 1)
    for model in svm_fits:
        beta = n * model.alpha_
        margins = s * (X @ model.coef_ + model.intercept_)
        assert np.all(beta[margins < 1 - 1e-9] == pytest.approx(1.0, abs=1e-9))
        assert np.all(beta[margins > 1 + 1e-9] == pytest.approx(0.0, abs=1e-9))
        assert 0 < np.count_nonzero(np.abs(margins - 1) <= 1e-9) <= X.shape[1] + 1
        stationarity = LAM * model.coef_ - X.T @ (beta * s) / n
        assert np.linalg.norm(stationarity) <= 1e-10
        assert abs(np.mean(beta * s)) <= 1e-14


@pytest.mark.parametrize(
    ("fits", "primal", "seed", "scale"),
    [("svm_fits", _svm_primal, 1, scale) for scale in (1e-2, 1e-4, 1e-6)]
    + [("logistic_fits", _logistic_primal, 2, scale) for scale in (1e-2, 1e-4)],
)
def test_random_perturbations_never_lower_the_objective(request, data, fits, primal, seed, scale) -> None:
    X, y = data
    s = _signs(y, 1)
    model = request.getfixturevalue(fits)[0]
    best = primal(model.coef_, model.intercept_, X, s, LAM)
    rng = np.random.default_rng(seed)
    for _ in range(300):
        delta = scale * rng.normal(size=X.shape[1] + 1)
        assert primal(model.coef_ + delta[:-1], model.intercept_ + delta[-1], X, s, LAM) >= best - 1e-15


def test_svm_beats_a_separately_written_subgradient_method(svm_fits, data) -> None:
    """Averaged subgradient descent with steps 1/(lam t) (Pegasos-style, full batch) gets
    within 1% of F* in 5000 steps, but never below it (and is still ~1e-3 off)."""
    X, y = data
    s = _signs(y, 1)
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    w_avg, b_avg = np.zeros(d), 0.0
    for t in range(1, 5001):
        active = s * (X @ w + b) < 1
        step = 1.0 / (LAM * t)
        w, b = w - step * (LAM * w - X[active].T @ s[active] / n), b + step * s[active].sum() / n
        w_avg += (w - w_avg) / t
        b_avg += (b - b_avg) / t
    reference = _svm_primal(w_avg, b_avg, X, s, LAM)
    optimum = svm_fits[0].objective_
    assert optimum <= reference <= 1.01 * optimum


# --------------------------------------------------------------------------------------
# Logistic regression: independent optimality checks
# --------------------------------------------------------------------------------------


def test_logistic_gradient_vanishes(logistic_fits, data) -> None:
    X, y = data
    s = _signs(y, 1)
    for model in logistic_fits:
        gradient = _logistic_gradient(model.coef_, model.intercept_, X, s, LAM)
        assert np.linalg.norm(gradient) <= 1e-9
        assert model.gradient_norm_ <= model.tol
        assert model.gradient_norm_ == pytest.approx(np.linalg.norm(gradient), abs=1e-12)


def test_logistic_gradient_check_detects_a_suboptimal_point(logistic_fits, data) -> None:
    X, y = data
    model = logistic_fits[0]
    gradient = _logistic_gradient(model.coef_ + 1e-4, model.intercept_, X, _signs(y, 1), LAM)
    assert np.linalg.norm(gradient) > 1e-6


def test_logistic_matches_a_separately_written_gradient_descent(logistic_fits, data) -> None:
    """Plain gradient descent, step 1/L with L = lam + ||[X, 1]||^2 / (4 n), on raw features."""
    X, y = data
    s = _signs(y, 1)
    n, d = X.shape
    lipschitz = LAM + np.linalg.norm(np.column_stack([X, np.ones(n)]), 2) ** 2 / (4 * n)
    theta = np.zeros(d + 1)
    for _ in range(100_000):
        gradient = _logistic_gradient(theta[:-1], theta[-1], X, s, LAM)
        if np.linalg.norm(gradient) <= 1e-9:
            break
        theta -= gradient / lipschitz
    else:
        pytest.fail("the reference gradient descent did not converge")
    model = logistic_fits[0]
    assert model.objective_ == pytest.approx(_logistic_primal(theta[:-1], theta[-1], X, s, LAM), rel=1e-12)
    np.testing.assert_allclose(model.coef_, theta[:-1], atol=1e-6)
    assert model.intercept_ == pytest.approx(theta[-1], abs=1e-6)


def test_logistic_gradient_solver_agrees_with_newton(logistic_fits, data) -> None:
    X, y = data
    newton = logistic_fits[0]
    for coef, b0 in _starts(X.shape[1])[:2]:
        model = LogisticRegression(lam=LAM, solver="gradient").fit(X, y, initial_coef=coef, initial_intercept=b0)
        assert model.gradient_norm_ <= model.tol
        assert model.n_iter_ > 10 * newton.n_iter_
        assert model.objective_ == pytest.approx(newton.objective_, rel=1e-12)
        np.testing.assert_allclose(model.coef_, newton.coef_, atol=1e-7)


def test_logistic_on_separable_data_stays_finite() -> None:
    """With lam > 0 the minimiser exists even for separable classes: ||w||^2 <= 2 log 2 / lam."""
    X, y = _blobs()
    for lam in [1e-2, 1e-6]:
        model = LogisticRegression(lam=lam).fit(X, y)
        assert np.all(np.isfinite(model.coef_)) and np.isfinite(model.intercept_)
        assert model.coef_ @ model.coef_ <= 2 * np.log(2) / lam
        s = _signs(y, model.classes_[1])
        assert np.linalg.norm(_logistic_gradient(model.coef_, model.intercept_, X, s, lam)) <= 1e-9


# --------------------------------------------------------------------------------------
# Harder problems: tiny and large lam, bad scaling, more features than samples
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case", ["separable, tiny lam", "large lam", "large feature means and scales", "wide", "imbalanced"]
)
def test_svm_certified_on_harder_problems(case: str) -> None:
    rng = np.random.default_rng(3)
    lam = {"separable, tiny lam": 1e-6, "large lam": 1.0}.get(case, 1e-3)
    if case == "separable, tiny lam":
        X, y = _blobs()
    elif case == "large feature means and scales":
        X = rng.normal(size=(300, 4)) * 1000.0 + 5000.0
        y = X[:, 0] - X[:, 1] + 1000.0 * rng.normal(size=300) > 0
    elif case == "wide":
        X = rng.normal(size=(20, 40))
        y = np.arange(20) % 2
    else:
        X = rng.normal(size=(400, 6))
        y = X[:, 0] + 0.3 * rng.normal(size=400) > 1.8
    values = []
    for coef, b0 in _starts(X.shape[1])[:3]:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            model = LinearSVM(lam=lam).fit(X, y, initial_coef=coef, initial_intercept=b0)
        gap = model.objective_ - _svm_dual(model.alpha_, X, _signs(y, model.classes_[1]), lam)
        assert gap <= 1e-9 * model.objective_
        values.append(model.objective_)
    assert np.ptp(values) <= 1e-9 * min(values)


# --------------------------------------------------------------------------------------
# Labels, predictions, accuracy
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("Model", [LinearSVM, LogisticRegression])
def test_predict_is_the_sign_of_decision_function(Model, data) -> None:
    X, y = data
    model = Model(lam=LAM).fit(X, y)
    scores = model.decision_function(X)
    np.testing.assert_allclose(scores, X @ model.coef_ + model.intercept_)
    np.testing.assert_array_equal(model.predict(X), np.where(scores > 0, model.classes_[1], model.classes_[0]))
    assert model.score(X, y) == np.mean(model.predict(X) == y)


@pytest.mark.parametrize("Model", [LinearSVM, LogisticRegression])
def test_any_two_labels_give_the_same_model(Model, data) -> None:
    """{0, 1}, {-1, 1}, {False, True} and strings: classes_[1] (the larger label) is positive."""
    X, y = data
    reference = Model(lam=LAM).fit(X, y)
    for labels in [(-1, 1), (False, True), ("cat", "dog"), (2.5, 7.0)]:
        relabelled = np.where(y == 1, labels[1], labels[0])
        model = Model(lam=LAM).fit(X, relabelled)
        assert model.classes_.tolist() == list(labels)
        np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-8)
        assert model.intercept_ == pytest.approx(reference.intercept_, abs=1e-8)
        predicted = model.predict(X)
        assert predicted.dtype == model.classes_.dtype
        np.testing.assert_array_equal(predicted == labels[1], reference.predict(X) == 1)


@pytest.mark.parametrize("Model", [LinearSVM, LogisticRegression])
def test_swapping_the_labels_negates_the_model(Model, data) -> None:
    X, y = data
    model = Model(lam=LAM).fit(X, y)
    swapped = Model(lam=LAM).fit(X, 1 - y)
    np.testing.assert_allclose(swapped.coef_, -model.coef_, atol=1e-8)
    assert swapped.objective_ == pytest.approx(model.objective_, rel=1e-10)


@pytest.mark.parametrize("Model", [LinearSVM, LogisticRegression])
def test_separable_blobs_are_classified(Model) -> None:
    X, y = _blobs()
    X_test, y_test = _blobs(seed=8)
    model = Model(lam=1e-2).fit(X, y)
    assert model.score(X, y) > 0.95
    assert model.score(X_test, y_test) > 0.95


def test_predict_proba_matches_the_sigmoid(data) -> None:
    X, y = data
    model = LogisticRegression(lam=LAM).fit(X, y)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-model.decision_function(X))))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("Model", [LinearSVM, LogisticRegression])
def test_fit_returns_self_and_accepts_lists(Model) -> None:
    model = Model()
    assert model.fit([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]], ["a", "b", "b"]) is model
    assert model.coef_.shape == (2,) and isinstance(model.intercept_, float)
    assert isinstance(model.n_iter_, int)


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("Model", [LinearSVM, LogisticRegression])
@pytest.mark.parametrize(
    ("X", "y", "error", "match"),
    [
        ([1.0, 2.0, 3.0], [0, 1, 1], ValueError, "X must be 2-dimensional"),
        ([[1.0], [np.nan], [2.0]], [0, 1, 1], ValueError, "X must contain only finite"),
        ([[1.0], [np.inf], [2.0]], [0, 1, 1], ValueError, "X must contain only finite"),
        ([["a"], ["b"], ["c"]], [0, 1, 1], TypeError, "X must be an array of numbers"),
        (np.zeros((0, 2)), [], ValueError, "X must have at least one row"),
        ([[1.0], [2.0], [3.0]], [[0], [1], [1]], ValueError, "y must be 1-dimensional"),
        ([[1.0], [2.0], [3.0]], [0, 1], ValueError, "y must have one label per row of X: X has 3 rows, y has 2"),
        ([[1.0], [2.0], [3.0]], [1, 1, 1], ValueError, r"y must contain exactly two distinct labels .* got 1: \[1\]"),
        ([[1.0], [2.0], [3.0]], [0, 1, 2], ValueError, "y must contain exactly two distinct labels .* got 3"),
        ([[1.0], [2.0], [3.0]], [0.0, 1.0, np.nan], ValueError, "y must not contain NaN"),
        ([[1.0], [2.0], [3.0]], np.array(["a", 1, 1], dtype=object), TypeError, "y must hold labels that can be"),
    ],
)
def test_bad_data_is_rejected(Model, X, y, error, match) -> None:
    with pytest.raises(error, match=match):
        Model().fit(X, y)


@pytest.mark.parametrize("Model", [LinearSVM, LogisticRegression])
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lam": 0.0}, ValueError, "lam must be a finite number > 0, got 0.0"),
        ({"lam": -1.0}, ValueError, "lam must be a finite number > 0"),
        ({"lam": float("nan")}, ValueError, "lam must be a finite number > 0"),
        ({"lam": "0.1"}, TypeError, "lam must be a number"),
        ({"max_iter": 0}, ValueError, "max_iter must be an integer >= 1"),
        ({"max_iter": 10.0}, TypeError, "max_iter must be an integer"),
        ({"tol": 0.0}, ValueError, "tol must be a finite number > 0"),
    ],
)
def test_bad_parameters_are_rejected(Model, kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        Model(**kwargs)
    model = Model()  # set after construction, as scikit-learn's set_params would: fit checks again
    for name, value in kwargs.items():
        setattr(model, name, value)
    with pytest.raises(error, match=match):
        model.fit([[0.0], [1.0]], [0, 1])


def test_bad_solver_is_rejected() -> None:
    with pytest.raises(ValueError, match="solver must be one of 'newton', 'gradient'; got 'sgd'"):
        LogisticRegression(solver="sgd")


@pytest.mark.parametrize("Model", [LinearSVM, LogisticRegression])
@pytest.mark.parametrize("method", ["predict", "decision_function"])
def test_using_an_unfitted_model_says_to_call_fit(Model, method) -> None:
    with pytest.raises(NotFittedError, match=f"This {Model.__name__} instance is not fitted yet. Call 'fit'"):
        getattr(Model(), method)([[0.0, 1.0]])
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)


@pytest.mark.parametrize("Model", [LinearSVM, LogisticRegression])
def test_wrong_number_of_features_is_rejected(Model, data) -> None:
    X, y = data
    model = Model(lam=LAM).fit(X, y)
    with pytest.raises(ValueError, match="X has 4 features, but .* was fitted with 5 features"):
        model.predict(X[:, :4])
    with pytest.raises(ValueError, match="X must be 2-dimensional"):
        model.decision_function(X[0])


@pytest.mark.parametrize("Model", [LinearSVM, LogisticRegression])
def test_bad_starting_points_are_rejected(Model, data) -> None:
    X, y = data
    with pytest.raises(ValueError, match=r"initial_coef must have one entry per feature \(5\), got 3"):
        Model().fit(X, y, initial_coef=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="initial_coef must contain only finite"):
        Model().fit(X, y, initial_coef=[np.nan] * 5)
    with pytest.raises(ValueError, match="initial_intercept must be 0-dimensional"):
        Model().fit(X, y, initial_intercept=[1.0])


@pytest.mark.parametrize("Model", [LinearSVM, LogisticRegression])
def test_objective_rejects_unknown_labels(Model, data) -> None:
    X, y = data
    model = Model(lam=LAM).fit(X, y)
    with pytest.raises(ValueError, match=r"y contains labels not seen in fit: \[2\]; classes_ is \[0, 1\]"):
        model.objective(X, np.where(y == 1, 2, 0))


@pytest.mark.parametrize("Model", [LinearSVM, LogisticRegression])
def test_running_out_of_iterations_warns_and_reports_honestly(Model, data) -> None:
    """Stopped early, the reported gap / gradient norm is still that of the returned point."""
    X, y = data
    s = _signs(y, 1)
    with pytest.warns(ConvergenceWarning, match="tol"):
        model = Model(lam=LAM, max_iter=1).fit(X, y, initial_coef=np.full(X.shape[1], 10.0))
    assert model.n_iter_ == 1
    if isinstance(model, LinearSVM):
        gap = _svm_certificate_gap(model, X, y)
        assert gap > 1e-3 * model.objective_
        assert model.duality_gap_ == pytest.approx(gap, rel=1e-12)
    else:
        gradient = _logistic_gradient(model.coef_, model.intercept_, X, s, LAM)
        assert model.gradient_norm_ > 1e-3
        assert model.gradient_norm_ == pytest.approx(np.linalg.norm(gradient), rel=1e-9)
