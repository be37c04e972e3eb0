# Graft: every task a user runs. `make demo` sets up and runs the whole job; `make test` runs the tests.
# Offline (no internet), point GRAFT_MIRROR at a folder holding the downloads: GRAFT_MIRROR=../shared make demo

# ND4J's oneDNN build for AVX2 CPUs is 2.5-3x faster than its plain build; a CPU without AVX2 gets the plain one.
# BACKEND=cuda (e.g. make train BACKEND=cuda ...) builds for an NVIDIA GPU instead: the cuda Maven profile.
BACKEND ?= cpu
ifeq ($(BACKEND),cuda)
ND4J_CLASSIFIER := linux-x86_64-cudnn
MVN_PROFILE := -Pcuda
else ifeq ($(BACKEND),cpu)
ND4J_CLASSIFIER ?= $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo linux-x86_64-onednn-avx2 || echo linux-x86_64)
MVN_PROFILE :=
else
$(error BACKEND must be cpu or cuda, not $(BACKEND))
endif
MVN    ?= mvn -B $(MVN_PROFILE) -Dnd4j.classifier=$(ND4J_CLASSIFIER)
LIB    := modules/graft-cli/target/lib
GRAFT  := bin/graft
RUN    ?= runs/demo
DATA   ?=
VAL    ?=
INPUT  ?=
ARGS   ?=
OUT    ?=
MASTER ?=

.PHONY: help setup demo train evaluate predict inspect ui fetch test bench bench-accuracy clean spark-predict

help:
	@echo "make demo                         set up, fetch sample data + backbone, train, evaluate, predict"
	@echo "make test                         run the tests"
	@echo "make setup                        build Graft and write the launcher bin/graft"
	@echo "make train DATA=dir [VAL=dir] [RUN=runs/x] [ARGS='--epochs 5 --mode finetune']"
	@echo "make evaluate RUN=runs/x [DATA=dir]   make predict RUN=runs/x INPUT=dir"
	@echo "make ui RUN=runs/x                make inspect ARGS=mobilenet-v1-0.25   make bench"
	@echo "make spark-predict RUN=runs/x INPUT=path OUT=path [MASTER=local[2]] [ARGS='--format parquet']  (Spark, local)"
	@echo "make bench-accuracy               transfer vs fine-tune vs augmentation on real data (../shared)"
	@echo "BACKEND=cuda make train ...       on an NVIDIA GPU (bench/gpu-check.sh measures one)"

# Builds every module, installs them for `mvn -pl modules/graft-cli exec:java`, and writes bin/graft.
setup:
	@# the launcher's libraries are for one backend: switching backends starts them afresh
	@if [ -d $(LIB) ] && [ "$$(cat $(LIB)/.backend 2>/dev/null || echo cpu)" != "$(BACKEND)" ]; then rm -rf $(LIB); fi
	$(MVN) -q install -DskipTests
	@echo $(BACKEND) > $(LIB)/.backend
	@mkdir -p bin
	@printf '%s\n' '#!/usr/bin/env bash' \
	  '# Graft launcher, written by make setup. Runs from any folder; downloads are cached under GRAFT_HOME.' \
	  'here="$$(cd "$$(dirname "$${BASH_SOURCE[0]}")/.." && pwd)"' \
	  'export GRAFT_HOME="$${GRAFT_HOME:-$$here}"' \
	  'export OMP_WAIT_POLICY="$${OMP_WAIT_POLICY:-PASSIVE}"' \
	  '# arrays of 8 MB and more go back to the system when freed: full fine-tuning peaks at ~3.1 GB, not ~3.9' \
	  'export MALLOC_MMAP_THRESHOLD_="$${MALLOC_MMAP_THRESHOLD_:-8388608}"' \
	  '# a UTF-8 locale, or the JVM cannot see Hangul or Hanja file names' \
	  'case "$${LC_ALL:-$${LC_CTYPE:-$${LANG:-}}}" in *UTF-8*|*utf8*|*UTF8*|*utf-8*) ;; *) export LC_ALL=C.UTF-8 ;; esac' \
	  'exec java $${GRAFT_JAVA_OPTS:--Xmx6g -Dorg.bytedeco.javacpp.maxbytes=8G -Dorg.bytedeco.javacpp.maxphysicalbytes=16G} \' \
	  '  -cp "$$here/modules/graft-cli/target/classes:$$here/modules/graft-cli/target/lib/*" org.graft.cli.GraftCli "$$@"' \
	  > $(GRAFT)
	@chmod +x $(GRAFT)
	@echo "Graft is ready: $(GRAFT) --help"

demo: setup
	$(GRAFT) demo --out $(RUN) $(ARGS)

fetch: setup
	$(GRAFT) fetch $(ARGS)

train: setup
	@test -n "$(DATA)" || { echo "usage: make train DATA=folder-with-one-subfolder-per-class [VAL=dir] [RUN=runs/name]"; exit 2; }
	$(GRAFT) train --data "$(DATA)" $(if $(VAL),--val "$(VAL)") --out $(RUN) $(ARGS)

evaluate: setup
	$(GRAFT) evaluate --model $(RUN) $(if $(DATA),--data "$(DATA)") $(ARGS)

predict: setup
	@test -n "$(INPUT)" || { echo "usage: make predict RUN=runs/name INPUT=image-or-folder"; exit 2; }
	$(GRAFT) predict --model $(RUN) --input "$(INPUT)" --out $(RUN)/predictions.csv $(ARGS)

inspect: setup
	$(GRAFT) inspect $(ARGS)

ui: setup
	$(GRAFT) ui $(RUN)

test:
	$(MVN) test
	bench/cuda-resolve.sh

bench: setup
	bench/run.sh

# transfer vs fine-tune vs fine-tune + augmentation on hymenoptera and Omniglot (needs ../shared; about 40 min)
bench-accuracy: setup
	bench/accuracy.sh

# Spark (modules/graft-spark): predict a whole archive on local[*] (MASTER=local[N] to choose). Spark 3.1 on Java 17
# needs these --add-opens; spark-submit on a cluster needs them too (README, "Spark: whole archives").
SPARK_OPENS := -XX:+IgnoreUnrecognizedVMOptions $(foreach p,java.lang java.lang.invoke java.lang.reflect java.io java.net \
  java.nio java.util java.util.concurrent java.util.concurrent.atomic sun.nio.ch sun.nio.cs sun.security.action \
  sun.util.calendar,--add-opens=java.base/$(p)=ALL-UNNAMED)
SPARK_CP    := modules/graft-spark/target/classes:modules/graft-spark/target/lib/*:modules/graft-spark/target/spark-lib/*

spark-predict:
	@test -n "$(INPUT)" -a -n "$(OUT)" || { echo "usage: make spark-predict RUN=runs/name INPUT=path OUT=path [MASTER=local[2]] [ARGS='--format parquet --partitions 8']"; exit 2; }
	$(MVN) -q -Pspark-dist -pl modules/graft-spark -am install -DskipTests
	LC_ALL=C.UTF-8 SPARK_LOCAL_IP=127.0.0.1 OMP_WAIT_POLICY=PASSIVE java $(SPARK_OPENS) -Xmx6g -Dorg.bytedeco.javacpp.maxbytes=8G \
	  -Dorg.bytedeco.javacpp.maxphysicalbytes=16G -Dlog4j.configuration=file:modules/graft-spark/conf/log4j.properties \
	  -cp "$(SPARK_CP)" org.graft.spark.SparkPredict --model "$(RUN)" --input "$(INPUT)" --out "$(OUT)" \
	  $(if $(MASTER),--master "$(MASTER)") $(ARGS)

clean:
	$(MVN) -q clean
	rm -rf bin
