#!/usr/bin/env python3
"""Fair-Synergy's allocation problems solved with CVXPY, the way the paper does (§III).

Reads instances as JSON on standard input, in the format of the reference fair-synergy.json:

    {"rti": [{"name", "P", "rho0": [N], "gamma": [N]}, ...],
     "dl":  [{"name", "P", "T", "rho0", "alpha0", "g_rho", "g_alpha"}, ...]}

(either list may be absent; extra keys are ignored) and prints one JSON object on standard output:

    {"cvxpy_version", "solver", "formulation",
     "rti": [{"name", "N", "status", "wall_s", "solver_s", "objective", "alloc": [N]}],
     "dl":  [{"name", "N", "status", "wall_s", "solver_s", "rho": [N], "alpha": [N]}]}

RTI (Problem 1): max sum_i (rho0_i + x_i)^gamma_i  s.t.  sum x <= P, x >= 0.

DL (Problem 2): the public code's single alternation (its fairSynergy2D), two CVXPY problems:
  step 1: rho   = argmax sum_i (rho0_i + rho_i)^g_rho_i * alpha0_i^g_alpha_i         s.t. sum rho <= P, rho >= 0
  step 2: alpha = argmax sum_i (rho0_i + rho_i*)^g_rho_i * (alpha0_i + alpha_i)^g_alpha_i  s.t. sum alpha <= T, alpha >= 0

Formulations (--formulation):
  power         one cp.power(rho0_i + x_i, gamma_i, approx=False) term per agent (the paper's objective;
                cp.power does not take a vector of exponents), exact power cones.
  power-approx  the same with cvxpy's default rational approximation by second-order cones (what
                cvxpy versions before 1.6 always did); slow (about 50 s at N = 1000) and approximate.
  powcone       vectorised: maximise sum w_i t_i subject to PowCone3D(rho0 + x, 1, t, gamma), i.e.
                t_i <= (rho0_i + x_i)^gamma_i, one constraint object for all agents.

wall_s is the wall time of building the problem and prob.solve() (canonicalisation included, the import
and a warm-up solve excluded); solver_s is the solver's own time (solver_stats.solve_time). A failed solve
reports its status ("solver_error: ...") and no allocation; by default a solve that raises is retried with SCS
(--fallback), and the status says so ("optimal (SCS after CLARABEL failed: ...)"). Progress on standard error.
"""

import argparse
import json
import sys
import time
import warnings

import numpy as np

try:
    import cvxpy as cp
except ImportError as error:  # the caller checks `python3 -c "import cvxpy"` first
    print(f"cvxpy is not installed: {error}", file=sys.stderr)
    sys.exit(3)


def weighted_power_max(weights, offsets, exponents, budget, formulation, solver, fallback=None):
    """argmax sum_i w_i (b_i + x_i)^{g_i} s.t. sum x <= budget, x >= 0. Returns (x, status, objective, solver_s).

    If the solver raises (Clarabel stops with InsufficientProgress on some instances with exponents near 0
    and 1) and `fallback` names another solver, the problem is solved again with it; the status then says so
    and solver_s is the fallback's time."""
    n = len(offsets)
    w = np.asarray(weights, dtype=float)
    b = np.asarray(offsets, dtype=float)
    g = np.asarray(exponents, dtype=float)
    x = cp.Variable(n)
    constraints = [cp.sum(x) <= budget, x >= 0]
    if formulation == "powcone":
        t = cp.Variable(n)
        constraints.append(cp.constraints.PowCone3D(b + x, np.ones(n), t, g))
        objective = cp.Maximize(w @ t)
    else:
        approx = formulation == "power-approx"
        terms = [w[i] * cp.power(b[i] + x[i], g[i], approx=approx) for i in range(n) if w[i] != 0]
        objective = cp.Maximize(cp.sum(cp.hstack(terms)) if terms else 0)
    problem = cp.Problem(objective, constraints)
    kwargs = {"solver": solver} if solver else {}
    note = ""
    try:
        problem.solve(**kwargs)
    except Exception as error:  # cvxpy.error.SolverError and friends
        first = (solver or "default solver") + " failed: " + str(error).split(".")[0]
        if not fallback or fallback == solver:
            return None, f"solver_error: {first}", None, None
        try:
            problem.solve(solver=fallback)
        except Exception as error2:
            return None, f"solver_error: {first}; {fallback} failed: {str(error2).split('.')[0]}", None, None
        note = f" ({fallback} after {first})"
    stats = problem.solver_stats
    solver_s = stats.solve_time if stats is not None and stats.solve_time is not None else None
    if x.value is None:
        return None, str(problem.status) + note, None, solver_s
    return [float(v) for v in x.value], str(problem.status) + note, float(problem.value), solver_s


def solve_rti(entry, formulation, solver, fallback):
    start = time.perf_counter()
    n = len(entry["rho0"])
    x, status, value, solver_s = weighted_power_max(np.ones(n), entry["rho0"], entry["gamma"], float(entry["P"]), formulation, solver, fallback)
    wall = time.perf_counter() - start
    return {"name": entry.get("name", ""), "N": n, "status": status, "wall_s": wall, "solver_s": solver_s,
            "objective": value, "alloc": x}


def solve_dl(entry, formulation, solver, fallback):
    start = time.perf_counter()
    rho0 = np.asarray(entry["rho0"], dtype=float)
    alpha0 = np.asarray(entry["alpha0"], dtype=float)
    g_rho = np.asarray(entry["g_rho"], dtype=float)
    g_alpha = np.asarray(entry["g_alpha"], dtype=float)
    n = len(rho0)
    solver_total = 0.0
    # Step 1, alpha = 0: weights alpha0^g_alpha.
    rho, status, _, s1 = weighted_power_max(np.power(alpha0, g_alpha), rho0, g_rho, float(entry["P"]), formulation, solver, fallback)
    alpha = None
    if rho is not None:
        solver_total += s1 or 0.0
        rho_arr = np.maximum(np.asarray(rho), 0.0)
        alpha, status2, _, s2 = weighted_power_max(np.power(rho0 + rho_arr, g_rho), alpha0, g_alpha, float(entry["T"]), formulation, solver, fallback)
        status = "step 1: " + status + "; step 2: " + status2 if status != status2 else status
        solver_total += s2 or 0.0
    wall = time.perf_counter() - start
    return {"name": entry.get("name", ""), "N": n, "status": status, "wall_s": wall, "solver_s": solver_total,
            "rho": rho, "alpha": alpha}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--formulation", choices=["power", "power-approx", "powcone"], default="power")
    parser.add_argument("--solver", default=None, help="a cvxpy solver name (default: cvxpy's choice, Clarabel for power cones)")
    parser.add_argument("--fallback", default="SCS", help="solver to retry with when the first raises (default SCS; 'none' to report the failure)")
    parser.add_argument("--no-warmup", action="store_true", help="do not solve a small untimed problem first")
    args = parser.parse_args()
    if args.formulation != "power-approx":
        warnings.simplefilter("ignore")
    fallback = None if args.fallback.lower() == "none" else args.fallback
    instances = json.load(sys.stdin)
    if not args.no_warmup:
        weighted_power_max(np.ones(3), [0.1, 0.2, 0.3], [0.3, 0.6, 0.9], 1.0, args.formulation, args.solver)
    out = {"cvxpy_version": cp.__version__, "solver": args.solver or "default", "formulation": args.formulation,
           "installed_solvers": cp.installed_solvers(), "rti": [], "dl": []}
    rti = instances.get("rti", [])
    dl = instances.get("dl", [])
    for k, entry in enumerate(rti):
        result = solve_rti(entry, args.formulation, args.solver, fallback)
        out["rti"].append(result)
        print(f"cvxpy {args.formulation}: rti {k + 1}/{len(rti)} N = {result['N']}: {result['status']}, {result['wall_s']:.3f} s",
              file=sys.stderr, flush=True)
    for k, entry in enumerate(dl):
        result = solve_dl(entry, args.formulation, args.solver, fallback)
        out["dl"].append(result)
        print(f"cvxpy {args.formulation}: dl {k + 1}/{len(dl)} N = {result['N']}: {result['status']}, {result['wall_s']:.3f} s",
              file=sys.stderr, flush=True)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
