// GLPK (GNU Linear Programming Kit, Debian's libglpk-dev): the LP and MILP solver behind
// ContractSolver (issue 10: minimum-cost contract rewards and the exact integer optimum).
#include <glpk.h>
