module {{project}}/{{service}}

go 1.19
