# The two commands of the README.
.PHONY: run test
run:
	./config/run.sh
test:
	./config/test.sh
