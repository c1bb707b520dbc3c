app_version = "1.0" # c
list = ["a", "b\n", 3]
x = null
y = true
z = -1.5e3
