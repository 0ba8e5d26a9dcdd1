module example.com/inventory

go 1.22.3

require github.com/google/uuid v1.6.0
