module devbox.local/agent

go 1.24.0

require golang.org/x/sys v0.31.0
