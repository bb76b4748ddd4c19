"""Grant-funded projects: a funder's pot for a year, the projects it pays for, and the totals."""
