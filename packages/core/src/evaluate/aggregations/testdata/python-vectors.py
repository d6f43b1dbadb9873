# Generates python-vectors.json (CPython 3.11 + NumPy) for the aggregation/stderr tests:
#   python3 python-vectors.py  (writes python-vectors.json in the current folder)
# The functions mirror lm-eval's formulas (mean/sample_stddev/bootstrap_stderr) and
# scikit-learn's binary F1 and multiclass MCC.
import random, math, json
import numpy as np

def mean(a): return sum(a)/len(a)
def sample_stddev(a):
    mu = mean(a)
    return math.sqrt(sum([(x-mu)**2 for x in a])/(len(a)-1))
def mean_stderr(a): return sample_stddev(a)/math.sqrt(len(a))
def boot(f, xs, iters):
    res=[]
    chunk=min(1000, iters)
    for i in range(iters//chunk):
        rnd = random.Random(); rnd.seed(i)
        for _ in range(chunk): res.append(f(rnd.choices(xs, k=len(xs))))
    return sample_stddev(res), res
def f1(items):
    g=[a for a,b in items]; p=[b for a,b in items]
    tp=sum(1 for a,b in zip(g,p) if a==1 and b==1)
    fp=sum(1 for a,b in zip(g,p) if a!=1 and b==1)
    fn=sum(1 for a,b in zip(g,p) if a==1 and b!=1)
    d=2*tp+fp+fn
    return 0.0 if d==0 else 2*tp/d
def mcc(items):
    labels=sorted(set([a for a,b in items]+[b for a,b in items]))
    k=len(labels); idx={l:i for i,l in enumerate(labels)}
    C=np.zeros((k,k))
    for a,b in items: C[idx[a],idx[b]]+=1
    t=C.sum(axis=1); p=C.sum(axis=0); c=np.trace(C); s=p.sum()
    cyp = c*s - np.dot(t,p); cpp = s**2 - np.dot(p,p); ctt = s**2 - np.dot(t,t)
    if cpp*ctt == 0: return 0.0
    return float(cyp/np.sqrt(ctt*cpp))
def median_old(a): return a[len(a)//2]
def median_new(a): return sorted(a)[len(a)//2]
def ppl(a): return math.exp(-mean(a))
def nanmean(a):
    if len(a)==0 or all(np.isnan(a)): return np.nan
    return float(np.nanmean(a))

out={}
r = random.Random(7)
pairs = [(r.randint(0,1), r.randint(0,1)) for _ in range(300)]
out['f1_pairs']=pairs
out['f1']=f1(pairs)
out['f1_boot_100000']=boot(f1, pairs, 100000)[0]
mc = [(r.randint(0,3), r.randint(0,3)) for _ in range(200)]
out['mcc_pairs']=mc
out['mcc']=mcc(mc)
out['mcc_boot_2000']=boot(mcc, mc, 2000)[0]
vals = [round(r.uniform(-5, 0), 4) for _ in range(101)]
out['vals']=vals
out['median_old_boot_3000']=boot(median_old, vals, 3000)[0]
out['median_new_boot_3000']=boot(median_new, vals, 3000)[0]
out['ppl']=ppl(vals)
out['ppl_boot_1000']=boot(ppl, vals, 1000)[0]
nv = [float('nan') if i % 7 == 0 else v for i, v in enumerate(vals)]
out['nanmean']=nanmean(nv)
out['nanmean_boot_1500']=boot(nanmean, nv, 1500)[0]
accs = [1.0 if r.random()<0.3 else 0.0 for _ in range(57)]
out['accs']=accs
out['acc_mean']=mean(accs)
out['acc_stderr']=mean_stderr(accs)
out['mean_boot_1000'] = boot(mean, accs, 1000)[0]
# numpy pairwise sums
sums=[]
rr = np.random.default_rng(3)
for n in [1,5,7,8,9,15,16,17,100,127,128,129,200,255,256,1000,1037]:
    a = rr.standard_normal(n)*1e3 + 0.1
    sums.append({'n':n,'xs':[float(x) for x in a],'sum':float(np.sum(a)),'mean':float(np.mean(a))})
out['sums']=sums
# brier
gold=[0,2,1,1]
probs=[[0.2,0.3,0.5],[0.1,0.1,0.8],[0.3,0.4,0.3],[0.25,0.25,0.5]]
out['brier'] = float(np.mean(np.sum((np.array(probs) - np.eye(3)[gold])**2, axis=1)))
# pooled stderr
def pooled(stderrs, sizes):
    v = sum([(size-1)*stderr**2*size for size,stderr in zip(sizes,stderrs)])/(sum(sizes)-len(sizes))
    return float(np.sqrt(v/sum(sizes)))
def aggsub(metrics, sizes, w=True):
    if not w: sizes=[1]*len(sizes)
    return sum([m*s for m,s in zip(metrics,sizes)])/sum(sizes)
out['pooled']=pooled([0.0123, 0.05, 0.3333333333333333], [100, 20, 3])
out['agg_w']=aggsub([0.25, 0.3, 0.6666666666666666],[100,20,3],True)
out['agg_u']=aggsub([0.25, 0.3, 0.6666666666666666],[100,20,3],False)
# softmax
lls=[-1.5,-2.25,-0.75,-3.0]
e=np.exp(np.array(lls)-np.max(lls)); out['softmax']=[float(x) for x in e/e.sum()]
json.dump(out, open('python-vectors.json','w'))
for k,v in out.items():
    if k not in ('sums','f1_pairs','mcc_pairs','vals','accs'): print(k, repr(v))
