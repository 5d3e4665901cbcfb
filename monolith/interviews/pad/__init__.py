"""The live interview pad: a shared document edited in real time, its runs, notes and history."""
